package io.larkway.flow.ingress;

import io.micrometer.observation.ObservationPredicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * No {@code http.server.requests} observation for Lark's webhook deliveries: Spring's observation
 * filter (a timer looked up by tags when each request ends) was 6 % of the webhook's CPU in
 * {@code bench/webhook.sh}, and the deliveries are counted by larkway's own meters
 * ({@code larkway_events_received_total}, {@code larkway_webhook_rejected_total}). Every other
 * request (the API, the console) keeps its {@code http_server_requests} timer.
 */
@Configuration(proxyBeanMethods = false)
public class WebhookObservations {
    static final String WEBHOOK_PATH = "/api/lark/webhook/";

    @Bean
    ObservationPredicate noWebhookRequestObservations() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && request.getCarrier() != null
                && request.getCarrier().getRequestURI().startsWith(request.getCarrier().getContextPath() + WEBHOOK_PATH));
    }
}
