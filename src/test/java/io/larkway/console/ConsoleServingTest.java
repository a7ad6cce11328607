package io.larkway.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.larkway.LarkwayTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The console is served at / from the jar without a key, beside an /api that still answers JSON; and its Ask call. */
class ConsoleServingTest extends LarkwayTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theConsoleIsServedAtTheRootWithoutAKey() throws Exception {
        HttpResponse<String> index = get("/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(index.body()).contains("<script type=\"module\" src=\"/console/app.js\">");
        for (String module : new String[] {"/console/app.js", "/console/api.js", "/console/ui.js", "/console/integrations.js",
                "/console/experts.js", "/console/triggers.js", "/console/orgs.js"}) {
            HttpResponse<String> js = get(module);
            assertThat(js.statusCode()).as(module).isEqualTo(200);
            assertThat(js.headers().firstValue("Content-Type").orElse("")).as(module).contains("javascript");
        }
        assertThat(get("/console.css").headers().firstValue("Content-Type").orElse("")).startsWith("text/css");
        // the API beside it is unchanged: unknown calls are the contract's JSON 404, calls without a key 401
        HttpResponse<String> unknown = get("/api/console/app.js");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("error").asText()).isEqualTo("not_found");
        assertThat(get("/api/integrations").statusCode()).isEqualTo(401);
    }

    @Test
    void theConsolePagesRunOnlyTheirOwnScriptsAndAreNeverFramed() throws Exception {
        for (String path : new String[] {"/", "/index.html", "/try-it.html", "/console/app.js", "/try-it.js", "/console.css"}) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertThat(csp).as(path).contains("script-src 'self'").contains("object-src 'none'").contains("frame-ancestors 'none'")
                    .doesNotContain("unsafe-eval");
            assertThat(csp.replaceAll(".*script-src ([^;]*).*", "$1")).as(path).doesNotContain("unsafe-inline");
            assertThat(r.headers().firstValue("X-Frame-Options").orElse("")).as(path).isEqualTo("DENY");
            assertThat(r.headers().firstValue("X-Content-Type-Options").orElse("")).as(path).isEqualTo("nosniff");
            assertThat(r.headers().firstValue("Referrer-Policy").orElse("")).as(path).isEqualTo("no-referrer");
        }
        // under script-src 'self' an inline script would not run: the pages load theirs from files
        assertThat(get("/try-it.html").body()).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>");
        assertThat(get("/").body()).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>");
    }

    @Test
    void askSendsOneQuestionToTheCallersOwnExpert() {
        String key = newOrg();
        String id = call("POST", "/api/experts", key, Map.of("name", "echo", "type", "echo")).text("id");
        Answer answer = call("POST", "/api/experts/" + id + "/ask", key, Map.of("text", "ping?"));
        assertThat(answer.status()).as(answer.raw()).isEqualTo(200);
        assertThat(answer.text("text")).isEqualTo("ping?");

        Answer missing = call("POST", "/api/experts/" + id + "/ask", key, Map.of());
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.text("message")).isEqualTo("text is required");
        Answer tooLong = call("POST", "/api/experts/" + id + "/ask", key, Map.of("text", "x".repeat(4001)));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.text("message")).startsWith("text is longer than");
        assertThat(call("POST", "/api/experts/" + id + "/ask", newOrg(), Map.of("text", "hi")).status()).isEqualTo(404);
        assertThat(call("POST", "/api/experts/" + id + "/ask", null, Map.of("text", "hi")).status()).isEqualTo(401);
    }

    @Test
    void anExpertThatFailsIsA502WithTheReason() {
        String key = newOrg();
        // nothing listens on port 9 of the loopback: the call fails as a turn's would
        String id = call("POST", "/api/experts", key, Map.of("name", "down", "type", "http", "url", "http://127.0.0.1:9/expert")).text("id");
        Answer answer = call("POST", "/api/experts/" + id + "/ask", key, Map.of("text", "hi"));
        assertThat(answer.status()).as(answer.raw()).isEqualTo(502);
        assertThat(answer.text("error")).isEqualTo("expert_error");
        assertThat(answer.text("message")).startsWith("http expert could not be reached");
    }
}
