package io.larkway.ops;

import io.larkway.flow.ingress.ConnectionOwners;
import io.larkway.flow.ingress.LastDeliveries;
import io.larkway.platform.RecentErrors;

import io.larkway.platform.InstanceId;
import io.larkway.admin.ApiException;
import io.larkway.admin.ApiHandlers;
import io.larkway.camel.lark.ws.ConnectionStatus;
import io.larkway.camel.lark.ws.ConnectionSupervisor;
import io.larkway.admin.Integration;
import io.larkway.admin.Integrations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.larkway.flow.ingress.WebhookDeliveries;
import io.larkway.flow.ingress.WebhookReceiver;
import io.larkway.camel.lark.client.BotInfo;
import io.larkway.camel.lark.client.LarkApiClient;
import io.larkway.flow.dispatch.BotIdentities;
import io.larkway.flow.reply.ReplyOutcomes;
import org.springframework.stereotype.Component;

/**
 * The Status tab: {@code GET /api/integrations/{id}/status} (mode, status, bot, instances, last
 * connected/delivery, replies (whether answers get out), recent errors, counters) and its actions {@code POST …/refresh} (bot info),
 * {@code …/reconnect} and {@code …/disconnect} (long connection). Counters are the cluster's
 * totals ({@link StatusCounters}); recent errors are persisted.
 */
@Component
public class StatusApi implements ApiHandlers {
    private final Integrations integrations;
    private final ConnectionSupervisor supervisor;
    private final LastDeliveries lastDeliveries;
    private final String instanceId;
    private final BotIdentities bots;
    private final RecentErrors errors;
    private final WebhookDeliveries deliveries;
    private final StatusCounters counters;
    private final ConnectionOwners owners;
    private final ReplyOutcomes replies;

    public StatusApi(Integrations integrations, ConnectionSupervisor supervisor, LastDeliveries lastDeliveries, InstanceId instanceId, BotIdentities bots,
            RecentErrors errors, WebhookDeliveries deliveries, StatusCounters counters, ConnectionOwners owners, ReplyOutcomes replies) {
        this.replies = replies;
        this.owners = owners;
        this.integrations = integrations;
        this.supervisor = supervisor;
        this.lastDeliveries = lastDeliveries;
        this.instanceId = instanceId.toString();
        this.bots = bots;
        this.errors = errors;
        this.deliveries = deliveries;
        this.counters = counters;
    }

    @Override
    public void register(Registrar api) {
        api.register("integration-status", "GET", "/api/integrations/{id}/status",
                (c, r) -> status(integrations.get(c.requireOrg(), r.path("id"))));
        api.register("integration-refresh", "POST", "/api/integrations/{id}/refresh", (c, r) -> {
            Integration i = integrations.get(c.requireOrg(), r.path("id"));
            try {
                bots.refresh(i);
            } catch (RuntimeException e) {
                throw new ApiException(502, "lark_error", "Lark answered: " + LarkApiClient.unwrap(e).getMessage());
            }
            return status(i);
        });
        api.register("integration-reconnect", "POST", "/api/integrations/{id}/reconnect", (c, r) -> {
            Integration i = longConnection(integrations.get(c.requireOrg(), r.path("id")));
            try {
                supervisor.reconnect(i.id());
            } catch (IllegalStateException e) {
                throw new ApiException(503, "unavailable", e.getMessage());
            }
            return status(i);
        });
        api.register("integration-disconnect", "POST", "/api/integrations/{id}/disconnect", (c, r) -> {
            Integration i = longConnection(integrations.get(c.requireOrg(), r.path("id")));
            supervisor.disconnect(i.id());
            return status(i);
        });
    }

    private static Integration longConnection(Integration i) {
        if (!i.isLongConnection()) {
            throw ApiException.conflict("integration " + i.id() + " is in webhook mode; only long connections reconnect or disconnect");
        }
        if (!i.enabled()) {
            throw ApiException.conflict("integration " + i.id() + " is disabled");
        }
        return i;
    }

    public Map<String, Object> status(Integration i) {
        Map<String, Object> out = new LinkedHashMap<>();
        Instant lastDelivery = lastDeliveries.last(i.id());
        out.put("integrationId", i.id());
        out.put("mode", i.connectionMode().name());
        List<Map<String, Object>> instances = new ArrayList<>();
        ReplyOutcomes.Outcome answers = replies.of(i.id());
        String status;
        String lastError = null;
        Instant lastConnectedAt = null;
        if (i.isLongConnection()) {
            ConnectionStatus s = supervisor.status(i.id()).orElse(null);
            status = !i.enabled() ? "disabled" : s == null ? "idle" : s.state().name();
            if (s != null) {
                lastError = s.lastError();
                lastConnectedAt = s.lastConnectedAt();
                Map<String, Object> instance = new LinkedHashMap<>();
                instance.put("id", s.instanceId());
                instance.put("state", s.state().name());
                instance.put("connectedSince", s.connectedSince());
                instance.put("failureCount", s.failureCount());
                instance.put("nextReconnectAt", s.nextReconnectAt());
                instance.put("pingIntervalSeconds", s.pingIntervalSeconds());
                instance.put("received", s.received());
                instance.put("acked", s.acked());
                instance.put("ackFailures", s.ackFailures());
                instances.add(instance);
            } else {
                Map<String, Object> instance = new LinkedHashMap<>();
                instance.put("id", instanceId);
                instance.put("state", status);
                instance.put("connectedSince", null);
                instances.add(instance);
            }
        } else {
            WebhookDeliveries.Last last = deliveries.last(i.id());
            // a bot that receives but cannot answer is failing too (replies.lastError says why)
            status = !i.enabled() ? "disabled" : last != null && !last.verified() || answers.failing() ? "failing"
                    : lastDelivery == null && last == null ? "waiting_for_first_delivery" : "receiving";
        }
        List<Map<String, Object>> recent = errors.list(i.id());
        out.put("status", status);
        BotInfo bot = bots.cached(i.id());
        if (bot == null && i.enabled() && (lastDelivery != null || lastConnectedAt != null)) {
            // known good through another instance (its connection or deliveries): this one asks too, in the background
            bots.verified(i);
        }
        Map<String, Object> botView = new LinkedHashMap<>();
        botView.put("openId", bot == null ? null : bot.openId());
        botView.put("name", bot == null ? null : bot.name());
        botView.put("avatarUrl", bot == null ? null : bot.avatarUrl());
        out.put("bot", botView);
        if (i.isLongConnection()) {
            instances.addAll(owners.others(i.id(), instanceId));
        }
        out.put("instances", instances);
        Map<String, Object> repliesView = new LinkedHashMap<>();
        repliesView.put("status", answers.status());
        repliesView.put("lastError", answers.lastError());
        repliesView.put("lastSentAt", answers.lastSentAt());
        out.put("replies", repliesView);
        out.put("lastConnectedAt", lastConnectedAt);
        out.put("lastDeliveryAt", lastDelivery);
        // unverified webhook posts (anyone can send them) are listed, rate-limited, but are no last error of the integration
        out.put("lastError", lastError != null ? lastError : recent.stream().filter(e -> !WebhookReceiver.UNVERIFIED_STAGE.equals(e.get("stage")))
                .findFirst().map(e -> e.get("message")).orElse(null));
        out.put("recentErrors", recent);
        out.put("counters", counters.totals(i.id()));
        return out;
    }
}
