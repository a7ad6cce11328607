package io.larkway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.larkway.LarkwayTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** An unknown path or method under /api answers the contract's JSON error (PRODUCT.md §8), not Spring's own format. */
class UnknownCallsTest extends LarkwayTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "GET    | /api/nope                  | 404 | not_found          |",
        "POST   | /api/nope                  | 404 | not_found          |",
        "GET    | /api                       | 404 | not_found          |",
        "POST   | /api/lark/webhook          | 404 | not_found          |",
        "GET    | /api/integrations/a/b/c    | 404 | not_found          |",
        "DELETE | /api/integrations          | 405 | method_not_allowed | GET, POST",
        "PUT    | /api/orgs                  | 405 | method_not_allowed | GET, POST",
        "PATCH  | /api/integrations/int_x    | 405 | method_not_allowed | DELETE, GET, PUT",
        "GET    | /api/lark/webhook/int_x    | 405 | method_not_allowed | POST",
    })
    void answersTheContractsJsonError(String method, String path, int status, String error, String allow) throws Exception {
        for (boolean withKey : new boolean[] {true, false}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).header("Content-Type", "application/json")
                    .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}"));
            if (withKey) {
                request.header("Authorization", "Bearer " + ADMIN_KEY);
            }
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            String what = method + " " + path + (withKey ? " with a key" : " without a key") + ": " + r.body();
            assertThat(r.statusCode()).as(what).isEqualTo(status);
            assertThat(r.headers().firstValue("Content-Type")).as(what).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            var json = JSON.readTree(r.body());
            assertThat(json.path("error").asText()).as(what).isEqualTo(error);
            assertThat(json.path("message").asText()).as(what).isNotBlank();
            assertThat(json.size()).as(what).isEqualTo(2); // no timestamp, path or trace of Spring's format
            if (allow != null) {
                assertThat(r.headers().firstValue("Allow").orElseThrow().split(",\\s*")).as(what).containsExactlyInAnyOrder(allow.split(",\\s*"));
            }
        }
    }
}
