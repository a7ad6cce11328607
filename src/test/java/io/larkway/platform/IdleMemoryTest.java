package io.larkway.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import io.larkway.LarkwayTest;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** A started service has told G1 to collect when idle and to give back the heap it does not use (IdleMemory). */
class IdleMemoryTest extends LarkwayTest {

    @Test
    void aStartedServiceLetsTheJvmReturnItsIdleHeap() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        assumeTrue("true".equals(vm.getVMOption("UseG1GC").getValue()), "the test JVM runs G1");
        VMOption interval = vm.getVMOption("G1PeriodicGCInterval");
        assertThat(interval.getValue()).isEqualTo(String.valueOf(props.memory().idleCollectSeconds() * 1000));
        assertThat(interval.getOrigin()).as("set in the running JVM").isEqualTo(VMOption.Origin.MANAGEMENT);
        assertThat(vm.getVMOption("MaxHeapFreeRatio").getValue()).isEqualTo("30");
        assertThat(vm.getVMOption("MinHeapFreeRatio").getValue()).isEqualTo("10");
    }
}
