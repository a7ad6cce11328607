package io.larkway.platform;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * An idle instance gives the heap it does not use back to the operating system. G1 keeps the heap
 * it grew to (during start-up, or the last burst) committed for ever: an idle larkway held about
 * 100 MiB more than it uses. This turns on the JVM's own remedy (JEP 346, "promptly return unused
 * committed memory"): after {@code larkway.memory.idle-collect-seconds} without a collection, G1
 * collects, and its heap then keeps at most 30 % free ({@code MaxHeapFreeRatio}; the JVM's 70 %
 * kept most of it). A busy instance collects all the time, so the periodic collection never runs
 * there.
 *
 * <p>The three options are manageable, so this sets them in the running JVM, and only those the
 * operator has not set ({@code -XX:...} on the command line wins), only under G1, and never with
 * {@code idle-collect-seconds: 0}.
 */
@Component
public class IdleMemory {
    private static final Logger LOG = LoggerFactory.getLogger(IdleMemory.class);

    private final long idleCollectSeconds;

    public IdleMemory(LarkwayProperties props) {
        this.idleCollectSeconds = props.memory().idleCollectSeconds();
    }

    @EventListener(ApplicationReadyEvent.class)
    void apply() {
        if (idleCollectSeconds <= 0) {
            return;
        }
        HotSpotDiagnosticMXBean vm;
        try {
            vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        } catch (RuntimeException | LinkageError e) {
            return; // a JVM without HotSpot's management (jdk.management): its defaults stay
        }
        if (vm == null || !"true".equals(option(vm, "UseG1GC"))) {
            return; // e.g. the serial collector the JVM picks on a host of one CPU or under 1.8 GB: nothing to do
        }
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put("G1PeriodicGCInterval", String.valueOf(idleCollectSeconds * 1000));
        wanted.put("MinHeapFreeRatio", "10");
        wanted.put("MaxHeapFreeRatio", "30");
        Map<String, String> set = new LinkedHashMap<>();
        wanted.forEach((name, value) -> {
            try {
                VMOption current = vm.getVMOption(name);
                if (current.getOrigin() == VMOption.Origin.DEFAULT && current.isWriteable()) {
                    vm.setVMOption(name, value);
                    set.put(name, value);
                }
            } catch (RuntimeException e) {
                // not this JVM's option, or refused (e.g. MinHeapFreeRatio above an operator's MaxHeapFreeRatio): the JVM's own stays
                LOG.debug("JVM option {} left as it is: {}", name, e.toString());
            }
        });
        if (!set.isEmpty()) {
            LOG.info("Idle heap returned to the system after {} s without a collection (JVM options {})", idleCollectSeconds, set);
        }
    }

    private static String option(HotSpotDiagnosticMXBean vm, String name) {
        try {
            return vm.getVMOption(name).getValue();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
