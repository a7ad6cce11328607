package io.larkway.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.platform.Timestamps;
import io.larkway.admin.Trigger.DirectMode;
import io.larkway.admin.Trigger.GroupMode;
import io.larkway.admin.Trigger.ReplyStrategy;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Lark triggers and their API ({@code /api/triggers}); one published trigger per integration. */
@Component
public class Triggers implements ApiHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(Triggers.class);
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private final JdbcClient db;
    private final ObjectMapper json;
    private final Integrations integrations;
    private final Clock clock;
    /** The published trigger per integration, for the dispatch hot path; evicted on every change here, and short-lived for changes made on another instance. */
    private final Map<String, Published> published = new ConcurrentHashMap<>();
    private static final long CACHE_MILLIS = 5000;

    private record Published(Optional<Trigger> trigger, long loadedAt) {
    }

    public Triggers(JdbcClient db, ObjectMapper json, Integrations integrations, Clock clock) {
        this.clock = clock;
        this.db = db;
        this.json = json;
        this.integrations = integrations;
    }

    @Override
    public void register(Registrar api) {
        api.register("trigger-list", "GET", "/api/triggers", (c, r) -> list(c.requireOrg(), r.page()).map(this::view));
        api.register("trigger-create", "POST", "/api/triggers", (c, r) -> ApiResult.created(view(save(c.requireOrg(), null, r.body()))));
        api.register("trigger-get", "GET", "/api/triggers/{id}", (c, r) -> view(get(c.requireOrg(), r.path("id"))));
        api.register("trigger-update", "PUT", "/api/triggers/{id}", (c, r) -> view(save(c.requireOrg(), get(c.requireOrg(), r.path("id")), r.body())));
        api.register("trigger-delete", "DELETE", "/api/triggers/{id}", (c, r) -> {
            Trigger t = get(c.requireOrg(), r.path("id"));
            db.sql("DELETE FROM triggers WHERE id = ?").param(t.id()).update();
            published.clear();
            return ApiResult.NO_CONTENT;
        });
        api.register("trigger-publish", "POST", "/api/triggers/{id}/publish", (c, r) -> view(publish(c.requireOrg(), r.path("id"), true)));
        api.register("trigger-unpublish", "POST", "/api/triggers/{id}/unpublish", (c, r) -> view(publish(c.requireOrg(), r.path("id"), false)));
    }

    /** The published trigger of an integration, if any. */
    public Optional<Trigger> publishedFor(String integrationId) {
        long now = clock.millis();
        Published hit = published.get(integrationId);
        if (hit == null || now - hit.loadedAt() >= CACHE_MILLIS) {
            hit = new Published(db.sql("SELECT * FROM triggers WHERE published_for = ?").param(integrationId).query(this::row).optional(), now);
            published.put(integrationId, hit);
        }
        return hit.trigger();
    }

    public Trigger get(String orgId, String id) {
        return db.sql("SELECT * FROM triggers WHERE id = ? AND org_id = ?").params(id, orgId).query(this::row).optional()
                .orElseThrow(() -> ApiException.notFound("trigger " + id));
    }

    public Page<Trigger> list(String orgId, Page.Request page) {
        return page.page(db.sql("SELECT * FROM triggers WHERE org_id = ? ORDER BY created_at, id LIMIT ? OFFSET ?")
                .params(orgId, page.size() + 1, page.offset()).query(this::row).list());
    }

    private Trigger publish(String orgId, String id, boolean on) {
        Trigger t = get(orgId, id);
        try {
            db.sql("UPDATE triggers SET published_for = ?, updated_at = ? WHERE id = ?")
                    .params(on ? t.integrationId() : null, Timestamps.of(clock.instant()), id).update();
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("integration " + t.integrationId() + " already has a published trigger; unpublish it first");
        }
        published.remove(t.integrationId());
        LOG.info("Trigger {} triggerId={} integrationId={}", on ? "published" : "unpublished", id, t.integrationId());
        return get(orgId, id);
    }

    private Trigger save(String orgId, Trigger before, JsonNode body) {
        String integrationId = Json.required(body, "integrationId", before == null ? null : before.integrationId());
        String expertId = Json.required(body, "expertId", before == null ? null : before.expertId());
        if (integrations.find(integrationId).filter(i -> i.orgId().equals(orgId)).isEmpty()) {
            throw ApiException.invalid("integrationId " + integrationId + " is not an integration of this organisation");
        }
        // the experts table directly, not io.larkway.expert.Experts: the expert package builds on admin, not the other way
        if (db.sql("SELECT COUNT(*) FROM experts WHERE id = ? AND org_id = ?").params(expertId, orgId).query(Integer.class).single() == 0) {
            throw ApiException.invalid("expertId " + expertId + " is not an expert of this organisation");
        }
        JsonNode direct = object(body, "directChat");
        JsonNode group = object(body, "groupChat");
        DirectMode directMode = direct == null ? (before == null ? DirectMode.all_users : before.directMode())
                : Json.oneOf(direct, "mode", DirectMode.class, DirectMode.all_users);
        List<String> users = direct == null ? (before == null ? List.of() : before.directUsers()) : Json.strings(direct, "users", List.of());
        GroupMode groupMode = group == null ? (before == null ? GroupMode.all_chats : before.groupMode())
                : Json.oneOf(group, "mode", GroupMode.class, GroupMode.all_chats);
        List<String> chats = group == null ? (before == null ? List.of() : before.groupChats()) : Json.strings(group, "chats", List.of());
        if (directMode == DirectMode.selected_users && users.isEmpty()) {
            throw ApiException.invalid("directChat.users must list at least one open_id when mode is selected_users");
        }
        if (groupMode == GroupMode.selected_chats && chats.isEmpty()) {
            throw ApiException.invalid("groupChat.chats must list at least one chat_id when mode is selected_chats");
        }
        ReplyStrategy strategy = Json.oneOf(body, "groupReplyStrategy", ReplyStrategy.class,
                before == null ? ReplyStrategy.mention_only : before.groupReplyStrategy());
        int timeout = Json.integer(body, "sessionTimeoutSeconds", before == null ? 3600 : before.sessionTimeoutSeconds(), 1, 30 * 24 * 3600);
        int window = Json.integer(body, "aggregationWindowSeconds", before == null ? 0 : before.aggregationWindowSeconds(), 0, 600);
        boolean threads = Json.bool(body, "threadSessions", before != null && before.threadSessions());
        boolean bots = Json.bool(body, "acceptBotMessages", before != null && before.acceptBotMessages());
        // absent keeps the stored one; null or "" removes it (no welcome)
        String welcome = body.has("welcomeMessage") ? Json.text(body, "welcomeMessage", null) : before == null ? null : before.welcomeMessage();
        welcome = welcome == null || welcome.isBlank() ? null : welcome;
        Json.maxLength("welcomeMessage", welcome, Trigger.MAX_WELCOME_LENGTH);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String id = before == null ? "trg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20) : before.id();
        String publishedFor = before != null && before.published() ? integrationId : null;
        try {
            if (before == null) {
                db.sql("""
                        INSERT INTO triggers (id, org_id, integration_id, expert_id, direct_mode, direct_users, group_mode, group_chats,
                          group_reply_strategy, session_timeout_seconds, aggregation_window_seconds, thread_sessions, accept_bot_messages,
                          welcome_message, published_for, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                        .params(id, orgId, integrationId, expertId, directMode.name(), json.writeValueAsString(users), groupMode.name(),
                                json.writeValueAsString(chats), strategy.name(), timeout, window, threads, bots, welcome, null, Timestamps.of(now),
                                Timestamps.of(now))
                        .update();
            } else {
                db.sql("""
                        UPDATE triggers SET integration_id = ?, expert_id = ?, direct_mode = ?, direct_users = ?, group_mode = ?, group_chats = ?,
                          group_reply_strategy = ?, session_timeout_seconds = ?, aggregation_window_seconds = ?, thread_sessions = ?,
                          accept_bot_messages = ?, welcome_message = ?, published_for = ?, updated_at = ?
                        WHERE id = ?""")
                        .params(integrationId, expertId, directMode.name(), json.writeValueAsString(users), groupMode.name(),
                                json.writeValueAsString(chats), strategy.name(), timeout, window, threads, bots, welcome, publishedFor,
                                Timestamps.of(now), id)
                        .update();
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("integration " + integrationId + " already has a published trigger");
        }
        published.clear();
        return get(orgId, id);
    }

    private static JsonNode object(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw ApiException.invalid(field + " must be an object");
        }
        return v;
    }

    public Map<String, Object> view(Trigger t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", t.id());
        out.put("integrationId", t.integrationId());
        out.put("expertId", t.expertId());
        out.put("directChat", Map.of("mode", t.directMode().name(), "users", t.directUsers()));
        out.put("groupChat", Map.of("mode", t.groupMode().name(), "chats", t.groupChats()));
        out.put("groupReplyStrategy", t.groupReplyStrategy().name());
        out.put("sessionTimeoutSeconds", t.sessionTimeoutSeconds());
        out.put("aggregationWindowSeconds", t.aggregationWindowSeconds());
        out.put("threadSessions", t.threadSessions());
        out.put("acceptBotMessages", t.acceptBotMessages());
        out.put("welcomeMessage", t.welcomeMessage());
        out.put("published", t.published());
        out.put("createdAt", t.createdAt());
        out.put("updatedAt", t.updatedAt());
        return out;
    }

    private Trigger row(ResultSet rs, int n) throws SQLException {
        try {
            return new Trigger(rs.getString("id"), rs.getString("org_id"), rs.getString("integration_id"), rs.getString("expert_id"),
                    DirectMode.valueOf(rs.getString("direct_mode")), json.readValue(rs.getString("direct_users"), STRINGS),
                    GroupMode.valueOf(rs.getString("group_mode")), json.readValue(rs.getString("group_chats"), STRINGS),
                    ReplyStrategy.valueOf(rs.getString("group_reply_strategy")), rs.getInt("session_timeout_seconds"),
                    rs.getInt("aggregation_window_seconds"), rs.getBoolean("thread_sessions"), rs.getBoolean("accept_bot_messages"),
                    rs.getString("welcome_message"), rs.getString("published_for") != null, Timestamps.instant(rs, "created_at"),
                    Timestamps.instant(rs, "updated_at"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
