package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

/**
 * larkway.routes-reload (development): a route file edited in larkway.routes-dir answers differently
 * without a restart, within 2 s; an edit that does not load keeps the running route and the log says why.
 * Camel watches the directory on wall time, so the waits here are on wall time too.
 */
// a fixed folder: the routes dir is read while the environment is prepared, before any @DynamicPropertySource
@TestPropertySource(properties = {"larkway.routes-reload=true", "larkway.routes-dir=" + RouteReloadTest.DIR})
@ExtendWith(OutputCaptureExtension.class)
class RouteReloadTest extends FlowFixture {
    static final String DIR = "target/route-reload-test/routes";
    static final Path ROUTES = copyOfTheRoutes();
    static final Path EXPERT = ROUTES.resolve("90-reload-expert.yaml");

    @Autowired
    CamelContext camel;

    @Test
    void anEditedRouteAnswersAtOnceAndABrokenEditKeepsTheRunningOne(CapturedOutput output) throws Exception {
        Setup s = setup(Map.of("name", "reloaded", "type", "camel", "uri", "direct:reload-expert"), Map.of());
        p2p(s, "ou_r1", "hi");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        assertThat(text(LARK.messages(s.app().appId()).get(0))).isEqualTo("first answer");

        Route before = camel.getRoute("reload-expert");
        Files.writeString(EXPERT, expert("second answer"));
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50)).until(() -> camel.getRoute("reload-expert") != before
                && camel.getRoute("reload-expert") != null);
        p2p(s, "ou_r2", "hi");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 2);
        assertThat(text(LARK.messages(s.app().appId()).get(1))).isEqualTo("second answer");

        // an edit that does not load keeps the running route, and the log says why: YAML that does not parse, a step
        // Camel does not know, a route that parses but cannot be created (Camel alone would leave no route at all then)
        int answers = 2;
        for (String[] broken : new String[][] {
                {"- route:\n    id: reload-expert\n    group: experts\n    from: [ uri: direct:reload-expert\n", "while parsing a flow sequence"},
                {expert("third answer").replace("setBody", "setBodyy"), "Unknown node id: setBodyy"},
                {expert("fourth answer") + "        - to: nosuchcomponent:x\n", "No endpoint could be found for: nosuchcomponent://x"}}) {
            Files.writeString(EXPERT, broken[0]);
            await().atMost(Duration.ofSeconds(5)).until(() -> output.getAll().lines()
                    .anyMatch(l -> l.contains("Route file [file:" + EXPERT.toAbsolutePath() + "] does not load; its previous routes [reload-expert] keep running: "
                            + broken[1])));
            p2p(s, "ou_r" + (++answers), "hi");
            int expected = answers;
            await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == expected);
            assertThat(text(LARK.messages(s.app().appId()).get(expected - 1))).as(broken[1]).isEqualTo("second answer");
        }
    }

    private static String expert(String answer) {
        return """
                - route:
                    id: reload-expert
                    group: experts
                    from:
                      uri: direct:reload-expert
                      steps:
                        - setBody:
                            constant: "%s"
                """.formatted(answer);
    }

    /** The flow's routes/ in a folder of its own, with a test expert route to edit. */
    private static Path copyOfTheRoutes() {
        try {
            Path dir = Path.of(DIR);
            if (Files.isDirectory(dir)) {
                try (var old = Files.list(dir)) {
                    for (Path file : old.toList()) {
                        Files.delete(file);
                    }
                }
            }
            Files.createDirectories(dir);
            try (DirectoryStream<Path> yaml = Files.newDirectoryStream(Path.of("routes"), "*.yaml")) {
                for (Path file : yaml) {
                    Files.copy(file, dir.resolve(file.getFileName()));
                }
            }
            Files.writeString(dir.resolve("90-reload-expert.yaml"), expert("first answer"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
