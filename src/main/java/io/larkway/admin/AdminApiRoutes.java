package io.larkway.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.platform.LarkwayProperties;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The admin HTTP API in Camel's REST DSL (Java rather than YAML: the API is the product's
 * contract, not flow an integrator edits, and Java keeps its handlers type-checked). Every verb
 * goes to one {@code direct:api-*} route that authenticates, runs its handler and writes JSON;
 * {@link ApiException}s become {@code {"error","message"}} with their status.
 */
@Component
public class AdminApiRoutes extends RouteBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(AdminApiRoutes.class);

    /** A handler of one API call. */
    @FunctionalInterface
    public interface Handler {
        Object handle(Caller caller, ApiRequest request) throws Exception;
    }

    private final ObjectMapper json;
    private final Organisations orgs;
    private final Integrations integrations;
    private final IntegrationTester tester;
    private final LarkwayProperties props;
    private final Map<String, ApiHandlers> extra;

    public AdminApiRoutes(ObjectMapper json, Organisations orgs, Integrations integrations, IntegrationTester tester,
            LarkwayProperties props, Map<String, ApiHandlers> extra) {
        this.json = json;
        this.orgs = orgs;
        this.integrations = integrations;
        this.tester = tester;
        this.props = props;
        this.extra = extra;
    }

    @Override
    public void configure() {
        // useStreaming: the body as the bytes that came (a Reader decodes them first: invalid UTF-8 failed with a 500)
        restConfiguration().component("platform-http").bindingMode(RestBindingMode.off).endpointProperty("useStreaming", "true");

        onException(ApiException.class).handled(true).process(e -> {
            ApiException failure = e.getProperty(Exchange.EXCEPTION_CAUGHT, ApiException.class);
            LOG.info("API {} {} -> {} {}", e.getIn().getHeader(Exchange.HTTP_METHOD), e.getIn().getHeader(Exchange.HTTP_URI),
                    failure.status(), failure.getMessage());
            error(e, failure.status(), failure.error(), failure.getMessage());
        });
        onException(Exception.class).handled(true).process(e -> {
            Exception failure = e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            LOG.error("API {} {} failed", e.getIn().getHeader(Exchange.HTTP_METHOD), e.getIn().getHeader(Exchange.HTTP_URI), failure);
            error(e, 500, "internal_error", "an internal error occurred; see the service log");
        });

        api("org-create", "POST", "/api/orgs", (c, r) -> {
            c.requireAdmin();
            return ApiResult.created(orgs.create(Json.text(r.body(), "name", null)));
        });
        api("org-list", "GET", "/api/orgs", (c, r) -> {
            c.requireAdmin();
            return orgs.list(r.page());
        });
        api("org-rotate-key", "POST", "/api/orgs/{id}/rotate-key", (c, r) -> {
            c.requireAdmin();
            return orgs.rotateKey(r.path("id"));
        });
        api("org-delete", "DELETE", "/api/orgs/{id}", (c, r) -> {
            c.requireAdmin();
            orgs.delete(r.path("id"));
            return ApiResult.NO_CONTENT;
        });

        api("integration-list", "GET", "/api/integrations",
                (c, r) -> integrations.list(c.requireOrg(), r.page()).map(integrations::view));
        api("integration-create", "POST", "/api/integrations",
                (c, r) -> ApiResult.created(integrations.view(integrations.create(c.requireOrg(), r.body()))));
        api("integration-test-unsaved", "POST", "/api/integrations/test",
                (c, r) -> tester.test(integrations.fromBody(c.requireOrg(), r.body(), null)));
        api("integration-get", "GET", "/api/integrations/{id}",
                (c, r) -> integrations.view(integrations.get(c.requireOrg(), r.path("id"))));
        api("integration-update", "PUT", "/api/integrations/{id}",
                (c, r) -> {
                    integrations.get(c.requireOrg(), r.path("id")); // an unknown id is a 404 whatever the body
                    return integrations.view(integrations.update(c.requireOrg(), r.path("id"), r.body()));
                });
        api("integration-delete", "DELETE", "/api/integrations/{id}", (c, r) -> {
            integrations.delete(c.requireOrg(), r.path("id"));
            return ApiResult.NO_CONTENT;
        });
        api("integration-test", "POST", "/api/integrations/{id}/test",
                (c, r) -> tester.test(integrations.get(c.requireOrg(), r.path("id"))));

        extra.values().forEach(handlers -> handlers.register(this::api));
    }

    /** Declares one REST verb and the route that serves it. */
    public void api(String id, String method, String path, Handler handler) {
        String direct = "direct:api-" + id;
        switch (method) {
            case "GET" -> rest().get(path).id("rest-" + id).to(direct);
            case "POST" -> rest().post(path).id("rest-" + id).to(direct);
            case "PUT" -> rest().put(path).id("rest-" + id).to(direct);
            case "DELETE" -> rest().delete(path).id("rest-" + id).to(direct);
            default -> throw new IllegalArgumentException(method);
        }
        from(direct).routeId("api-" + id).process(e -> {
            ApiRequest request = ApiRequest.of(e, json, props.maxBodyBytes());
            Caller caller = orgs.authenticate(e.getIn().getHeader("Authorization", String.class));
            Object result = handler.handle(caller, request);
            ApiResult out = result instanceof ApiResult r ? r : new ApiResult(200, result);
            e.getMessage().removeHeaders("*");
            e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, out.status());
            if (out.body() == null) {
                e.getMessage().setBody(null);
            } else {
                e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
                e.getMessage().setBody(json.writeValueAsBytes(out.body()));
            }
        });
    }

    private void error(Exchange e, int status, String code, String message) throws JsonProcessingException {
        e.getMessage().removeHeaders("*");
        e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        e.getMessage().setBody(json.writeValueAsBytes(Map.of("error", code, "message", message)));
    }
}
