package io.larkway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Only the lark component (io.larkway.camel.lark) calls Lark's IM API; the application goes through its producer or client.
 * The sandbox (io.larkway.sandbox) is the other side: it serves those paths, playing Lark, and calls none.
 */
class ImApiOnlyInComponentTest {

    @Test
    void noApplicationClassNamesAnImPath() throws IOException {
        Path sources = Path.of("src/main/java");
        Path component = sources.resolve("io/larkway/camel/lark");
        Path sandbox = sources.resolve("io/larkway/sandbox");
        try (Stream<Path> files = Files.walk(sources)) {
            List<Path> calling = files.filter(f -> f.toString().endsWith(".java") && !f.startsWith(component) && !f.startsWith(sandbox))
                    .filter(f -> read(f).contains("/open-apis/im")).toList();
            assertThat(calling).as("classes outside io.larkway.camel.lark that call /open-apis/im/...").isEmpty();
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
