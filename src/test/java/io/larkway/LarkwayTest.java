package io.larkway;

import io.larkway.platform.LarkwayProperties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.emulator.LarkEmulator;
import java.net.URI;
import java.time.Duration;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * Base of the end-to-end tests: the whole service on a random port, its Lark base URLs pointed at
 * the shared {@link LarkEmulator}, a data directory of its own. Every test class that extends this
 * without adding properties shares one Spring context; a class with properties of its own starts another
 * context, which keeps running beside it with its own data directory (its H2 database) and, on PostgreSQL,
 * a database of its own ({@link OwnData}): its sweeps cannot take up the other contexts' work.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@org.springframework.context.annotation.Import(TestClock.Config.class) // time that tests advance instead of sleeping
@org.springframework.test.context.ContextConfiguration(initializers = LarkwayTest.OwnData.class)
@org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability
// fixed settings here, not in the @DynamicPropertySource below: a subclass's own @TestPropertySource or
// @DynamicPropertySource then overrides any of them (a base @DynamicPropertySource would win over both)
@TestPropertySource(properties = {
        "larkway.admin-key=" + LarkwayTest.ADMIN_KEY,
        "larkway.master-key=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        "larkway.ingress.claim-lease-seconds=2",
        "larkway.ingress.recovery-interval-ms=500",
        // the dev console is off the default exposure (Camel's consoles show configuration); tests reach it
        "management.endpoints.web.exposure.include=health,prometheus,info,camel",
        // time compressed: fast retries, breakers that open after a few calls and close again in seconds
        "larkway.reply.backoff-initial-ms=20",
        "larkway.reply.backoff-max-ms=100",
        "larkway.reply.breaker-minimum-calls=8",
        "larkway.reply.breaker-open-seconds=2",
        "larkway.reply.stream-update-interval-ms=300",
        "larkway.conversation.expert-timeout-seconds=3",
        "larkway.conversation.expert-breaker-minimum-calls=3",
        "larkway.conversation.expert-breaker-open-seconds=2",
        // the fake experts listen on 127.0.0.1 (ExpertAddressesTest runs with the default, false); a small cap on answers
        "larkway.experts.allow-private-networks=true",
        "larkway.experts.max-response-bytes=65536",
        // each context keeps its pool while the suite runs: connections opened when needed, not ten per context up front
        // (on PostgreSQL a dozen contexts would otherwise hold 120 connections before any test ran)
        "spring.datasource.hikari.minimum-idle=1"})
public abstract class LarkwayTest {
    public static final String ADMIN_KEY = "test-admin-key";
    /** The data directories of this JVM's test contexts are under this one (see {@link OwnData}). */
    public static final String DATA_DIR = "./target/test-data/" + UUID.randomUUID();
    private static final java.util.concurrent.atomic.AtomicInteger CONTEXTS = new java.util.concurrent.atomic.AtomicInteger();
    protected static final LarkEmulator LARK = LarkEmulator.shared();
    protected static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    protected int port;

    @Autowired
    protected LarkwayProperties props;

    /** The service's clock: {@code clock.advance(...)} lets a lease, window, session or breaker run out at once. */
    @Autowired
    protected TestClock clock;

    @Autowired
    private org.apache.camel.CamelContext camelContext;

    /**
     * Moves the clock past the inbox's claim lease and waits (bounded) for two rounds of the inbox's
     * sweep, which fires on wall time every {@code recovery-interval-ms}: at least one whole round read
     * the new time. Whatever the sweep would take up again (an event whose lease ran out), it now has.
     */
    protected void inboxLeasesRunOut() {
        clock.advance(Duration.ofSeconds(props.ingress().claimLeaseSeconds()).plusMillis(100));
        rounds("inbox-recovery", 2);
    }

    /** Waits (bounded) until the timer route {@code routeId} has completed {@code n} more rounds. */
    protected void rounds(String routeId, int n) {
        org.apache.camel.builder.NotifyBuilder done = new org.apache.camel.builder.NotifyBuilder(camelContext).fromRoute(routeId).whenCompleted(n).create();
        if (!done.matches(10, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException(routeId + " did not complete " + n + " rounds within 10 s");
        }
    }

    /** Only what is known at run time; the fixed settings are in the class's {@code @TestPropertySource}. */
    @DynamicPropertySource
    static void larkway(DynamicPropertyRegistry registry) {
        registry.add("larkway.lark.feishu-base-url", LARK::baseUrl);
        registry.add("larkway.lark.lark-base-url", LARK::baseUrl);
    }

    /** Gives each Spring context it starts a data directory and (on PostgreSQL) a database of its own. */
    static final class OwnData implements org.springframework.context.ApplicationContextInitializer<org.springframework.context.ConfigurableApplicationContext> {
        @Override
        public void initialize(org.springframework.context.ConfigurableApplicationContext context) {
            Map<String, Object> own = new java.util.HashMap<>();
            own.put("larkway.data-dir", DATA_DIR + "/context-" + CONTEXTS.incrementAndGet());
            String database = io.larkway.flow.OwnDatabase.url();
            if (database != null) {
                own.put("spring.datasource.url", database);
            }
            context.getEnvironment().getPropertySources().addFirst(new org.springframework.core.env.MapPropertySource("larkway-test-own-data", own));
        }
    }

    /** An answer of the service: status and JSON body (null when empty or not JSON). */
    public record Answer(int status, String raw, JsonNode json) {
        public String text(String field) {
            return json.path(field).asText(null);
        }
    }

    protected String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    protected Answer call(String method, String path, String key, Object body) {
        return call(method, path, key, body, Map.of());
    }

    protected Answer call(String method, String path, String key, Object body, Map<String, String> headers) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)));
            if (key != null) {
                request.header("Authorization", "Bearer " + key);
            }
            headers.forEach(request::header);
            byte[] bytes = body == null ? null : body instanceof byte[] b ? b : body instanceof String s ? s.getBytes() : JSON.writeValueAsBytes(body);
            request.header("Content-Type", "application/json");
            request.method(method, bytes == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            try {
                json = response.body().isEmpty() ? null : JSON.readTree(response.body());
            } catch (Exception notJson) {
                // leave json null
            }
            return new Answer(response.statusCode(), response.body(), json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new organisation; answers its API key. */
    protected String newOrg() {
        Answer a = call("POST", "/api/orgs", ADMIN_KEY, Map.of("name", "org-" + UUID.randomUUID()));
        if (a.status() != 201) {
            throw new IllegalStateException("org not created: " + a);
        }
        return a.text("apiKey");
    }

    /** Creates an integration of an emulator app; answers the integration JSON. */
    protected JsonNode newIntegration(String key, LarkEmulator.App app, String mode, String encryptKey) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("name", "it " + app.appId(), "appId", app.appId(), "appSecret", app.appSecret(),
                "verificationToken", "vt-" + app.appId(), "connectionMode", mode));
        if (encryptKey != null) {
            body.put("encryptKey", encryptKey);
        }
        Answer a = call("POST", "/api/integrations", key, body);
        if (a.status() != 201) {
            throw new IllegalStateException("integration not created: " + a);
        }
        return a.json();
    }
}
