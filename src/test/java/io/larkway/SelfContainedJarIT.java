package io.larkway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar (target/larkway-*.jar, built by {@code package} before failsafe runs this) started as an
 * operator would, {@code java -jar} in a directory of its own that is not the checkout: its defaults
 * (configuration and flow routes) must come from inside the jar, and a start without the flow must fail.
 * The child JVM gets none of this JVM's settings (a -Dspring.datasource.url for the PostgreSQL pass stays
 * here): it runs on its own embedded default.
 */
class SelfContainedJarIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killAll() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theJarRunsFromAnyDirectoryOnTheDefaultsItCarries() throws Exception {
        int port = started("first.log");
        // the embedded database and the generated keys are files under the working directory's data/
        assertThat(dir.resolve("data/larkway.mv.db")).exists();
        String adminKey = Files.readString(dir.resolve("data/admin.key")).trim();
        // the generated admin key is never logged: its file and last 4 characters only
        assertThat(log("first.log")).doesNotContain(adminKey)
                .contains("Generated the admin key into " + dir.resolve("data/admin.key").toRealPath() + " (ends in " + adminKey.substring(adminKey.length() - 4) + ")");

        // the flow routes are loaded: the webhook URL answers as the ingress-webhook route does (not Spring's 404)
        JsonNode unknown = call(port, "POST", "/api/lark/webhook/no-such-integration", null, "{}", 404);
        assertThat(unknown.path("error").asText()).isEqualTo("not_found");
        assertThat(unknown.path("message").asText()).contains("no enabled integration");

        String orgKey = call(port, "POST", "/api/orgs", adminKey, "{\"name\":\"Jar\"}", 201).path("apiKey").asText();
        String integrationId = call(port, "POST", "/api/integrations", orgKey, """
                {"name":"Jar bot","appId":"cli_jar","appSecret":"jar-app-secret","verificationToken":"jar-token",
                 "connectionMode":"webhook","international":false}""", 201).path("id").asText();
        stop(processes.get(0));

        // a restart in the same directory finds them (the database is the file), and an external application.yaml
        // in the working directory overrides the packaged one for the keys it sets
        Files.writeString(dir.resolve("application.yaml"), "larkway:\n  public-base-url: https://bots.example.com\n");
        port = started("second.log");
        JsonNode again = call(port, "GET", "/api/integrations/" + integrationId, orgKey, null, 200);
        assertThat(again.path("webhookUrl").asText()).isEqualTo("https://bots.example.com/api/lark/webhook/" + integrationId);
        assertThat(log("second.log")).contains("Flow routes from the jar");
    }

    @Test
    void aRoutesDirThatDoesNotExistFailsTheStart() throws Exception {
        Path nowhere = dir.resolve("no-such-routes");
        Process p = launch("nowhere.log", "--larkway.routes-dir=" + nowhere);
        assertThat(p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exited").isTrue();
        assertThat(p.exitValue()).isNotZero();
        assertThat(log("nowhere.log")).contains("larkway.routes-dir " + nowhere + " does not exist or is not a directory");
    }

    @Test
    void aRoutesDirWithoutTheFlowFailsTheStartInsteadOfRunningWithoutIt() throws Exception {
        // ./routes exists, so it replaces the jar's routes entirely (never both): one stray route is not a flow
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/stray.yaml"), """
                - route:
                    id: stray
                    from:
                      uri: direct:stray
                      steps:
                        - log: stray
                """);
        Process p = launch("stray.log");
        assertThat(p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("exited").isTrue();
        assertThat(p.exitValue()).isNotZero();
        assertThat(log("stray.log")).contains("are missing from the CamelContext").contains("ingress-webhook");
    }

    /** Starts the jar in {@link #dir} and answers its port once it has started and its health is UP. */
    private int started(String logName) throws Exception {
        Process p = launch(logName);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!log(logName).contains("Started LarkwayApplication")) {
            assertThat(p.isAlive()).as("the jar exited during start-up:\n%s", log(logName)).isTrue();
            assertThat(System.nanoTime()).as("the jar did not start in %s:\n%s", START_TIMEOUT, log(logName)).isLessThan(deadline);
            Thread.sleep(250); // polling a child process's log: there is no clock to advance
        }
        Matcher m = PORT.matcher(log(logName));
        assertThat(m.find()).as("port in the log").isTrue();
        int port = Integer.parseInt(m.group(1));
        assertThat(call(port, "GET", "/actuator/health", null, null, 200).path("status").asText()).isEqualTo("UP");
        return port;
    }

    private Process launch(String logName, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar", jar().toString(), "--server.port=0",
                // nothing leaves the machine: Lark's base URLs point at a closed loopback port
                "--larkway.lark.feishu-base-url=http://127.0.0.1:9", "--larkway.lark.lark-base-url=http://127.0.0.1:9"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(logName).toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SPRING_") || k.startsWith("LARKWAY_"));
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy(); // SIGTERM: a graceful shutdown, as an operator's restart
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    private static Path jar() throws IOException {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(Path.of("target"), "larkway-*.jar")) {
            found.forEach(jars::add);
        }
        assertThat(jars).as("the packaged jar (mvn package)").hasSize(1);
        return jars.get(0).toAbsolutePath();
    }

    private String log(String name) throws IOException {
        Path file = dir.resolve(name);
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private static JsonNode call(int port, String method, String path, String key, String body, int expectedStatus) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("%s %s: %s", method, path, answer.body()).isEqualTo(expectedStatus);
        return JSON.readTree(answer.body());
    }
}
