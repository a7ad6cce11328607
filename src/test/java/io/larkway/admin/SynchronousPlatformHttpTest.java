package io.larkway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.larkway.LarkwayTest;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** platform-http routes run on the servlet request thread, with no async re-dispatch (see {@link SynchronousPlatformHttp}). */
class SynchronousPlatformHttpTest extends LarkwayTest {
    @Autowired
    CamelContext camel;

    @Test
    void routesRunOnTheServletThreadAndAnswerAsUsual() throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:/test/thread?httpMethodRestrict=POST").routeId("test-thread")
                        .setHeader("Content-Type", constant("application/json"))
                        .setHeader("CamelHttpResponseCode", constant(202))
                        .setBody(simple("{\"thread\":\"${threadName}\",\"got\":${body}}"));
            }
        });
        try {
            Answer answer = call("POST", "/test/thread", null, java.util.Map.of("n", 1));
            assertThat(answer.status()).isEqualTo(202);
            assertThat(answer.json().path("got").path("n").asInt()).isEqualTo(1);
            // Tomcat's request thread, not Spring's task executor ("task-N") of the stock engine
            assertThat(answer.text("thread")).startsWith("http-nio-");
        } finally {
            camel.getRouteController().stopRoute("test-thread");
            camel.removeRoute("test-thread");
        }
    }

    @Test
    void webhookErrorsStillCarryTheirStatusAndJson() {
        Answer answer = call("POST", "/api/lark/webhook/int_nope", null, java.util.Map.of("type", "event_callback"));
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.text("error")).isEqualTo("not_found");
    }
}
