package io.larkway.camel.lark.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What one connection can make the assembler hold is bounded: in partial events and in bytes. */
class FrameAssemblerTest {

    @Test
    void atMostMaxPartialsWaitTheOldestIsDropped() {
        FrameAssembler assembler = new FrameAssembler(60_000);
        for (int i = 0; i < 10_000; i++) {
            assertThat(assembler.add("m" + i, 2, 0, bytes("first half "), i)).isNull();
        }
        assertThat(assembler.pending()).isEqualTo(FrameAssembler.MAX_PARTIALS);
        // the newest complete; the oldest were given up (Lark redelivers them)
        assertThat(new String(assembler.add("m9999", 2, 1, bytes("second"), 10_000), StandardCharsets.UTF_8)).isEqualTo("first half second");
        assertThat(assembler.add("m0", 2, 1, bytes("second"), 10_001)).isNull();
    }

    @Test
    void theBytesWaitingAreCapped() {
        FrameAssembler assembler = new FrameAssembler(60_000, 64, 1000, "it_test");
        byte[] big = new byte[400];
        assembler.add("a", 3, 0, big, 0);
        assembler.add("b", 3, 0, big, 1);
        assertThat(assembler.pendingBytes()).isEqualTo(800);
        assembler.add("c", 3, 0, big, 2);
        assertThat(assembler.pending()).isEqualTo(2);
        assertThat(assembler.pendingBytes()).isEqualTo(800);
        // one event larger than the cap on its own is not kept either
        assertThat(assembler.add("huge", 2, 0, new byte[1001], 3)).isNull();
        assertThat(assembler.pendingBytes()).isLessThanOrEqualTo(1000);
        // a repeated part replaces, not adds
        assembler.add("d", 2, 0, new byte[10], 4);
        long before = assembler.pendingBytes();
        assembler.add("d", 2, 0, new byte[10], 5);
        assertThat(assembler.pendingBytes()).isEqualTo(before);
        assertThat(assembler.add("d", 2, 1, new byte[5], 6)).hasSize(15);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
