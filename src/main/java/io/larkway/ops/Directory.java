package io.larkway.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.admin.ApiException;
import io.larkway.admin.ApiHandlers;
import io.larkway.admin.Page;
import io.larkway.camel.IntegrationApps;
import io.larkway.camel.lark.client.LarkClient;
import io.larkway.admin.Integration;
import io.larkway.admin.Integrations;
import io.larkway.platform.Timestamps;
import io.larkway.camel.lark.client.LarkApiClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The selectors and the Users tab: the app's visible users (the whole department tree, {@code
 * contact/v3/departments/0/children} and {@code contact/v3/users/find_by_department} per department, cached per
 * integration; {@code q} searches all of them), the bot's group chats ({@code im/v1/chats}, paged through Lark's
 * own page tokens and cached briefly); and, with auto-provision on, the local directory of users who messaged the bot (written by
 * {@link io.larkway.flow.dispatch.ProvisionedUsers}).
 */
@Component
public class Directory implements ApiHandlers {
    private static final Duration CACHE = Duration.ofSeconds(30);

    private final Integrations integrations;
    private final LarkClient calls;
    private final IntegrationApps apps;
    private final JdbcClient db;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Instant at, JsonNode data) {
    }

    /** The users selector's department tree, walked through once per {@link #TREE_CACHE}. */
    private static final Duration TREE_CACHE = Duration.ofMinutes(5);
    private static final int MAX_DEPARTMENTS = 2000;
    private static final int MAX_USERS = 50_000;
    private final Map<String, Tree> trees = new ConcurrentHashMap<>();

    private record Tree(Instant at, List<JsonNode> users) {
    }

    /** The integrations with a Lark answer or a department tree kept (for tests). */
    java.util.Set<String> cachedIntegrations() {
        java.util.Set<String> ids = new java.util.HashSet<>(trees.keySet());
        cache.keySet().forEach(key -> ids.add(key.substring(0, key.indexOf(' '))));
        return ids;
    }

    public Directory(Integrations integrations, LarkClient calls, IntegrationApps apps, JdbcClient db, Clock clock) {
        this.apps = apps;
        this.integrations = integrations;
        this.calls = calls;
        this.db = db;
        this.clock = clock;
    }

    @Override
    public void register(Registrar api) {
        api.register("integration-users", "GET", "/api/integrations/{id}/users", (c, r) -> {
            Integration integration = integrations.get(c.requireOrg(), r.path("id"));
            if ("provisioned".equals(r.query("source"))) {
                return provisioned(integration.id(), r.page(), r.query("q"));
            }
            // the whole department tree, cached: q searches every user, and pages are pages of that list
            Page.Request page = r.page();
            String q = r.query("q") == null ? null : r.query("q").toLowerCase(Locale.ROOT);
            Map<String, Map<String, Object>> known = new LinkedHashMap<>();
            provisioned(integration.id(), new Page.Request(0, 200), null).items().forEach(u -> known.put((String) u.get("openId"), u));
            List<Map<String, Object>> items = new ArrayList<>();
            for (JsonNode u : users(integration)) {
                String name = u.path("name").asText("");
                if (q != null && !name.toLowerCase(Locale.ROOT).contains(q)) {
                    continue;
                }
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("openId", u.path("open_id").asText());
                item.put("name", name);
                item.put("avatarUrl", u.path("avatar").path("avatar_72").asText(null));
                item.put("provisioned", known.get(u.path("open_id").asText()));
                items.add(item);
            }
            return page.page(items.subList(Math.min(page.offset(), items.size()), Math.min(page.offset() + page.size() + 1, items.size())));
        });
        api.register("integration-chats", "GET", "/api/integrations/{id}/chats", (c, r) -> {
            Integration integration = integrations.get(c.requireOrg(), r.path("id"));
            int size = Page.Request.of(null, r.query("pageSize")).size();
            String token = r.query("pageToken");
            JsonNode data = lark(integration, "chats " + Math.min(size, 100) + " " + token, () -> calls.chats(apps.app(integration), size, token));
            List<Map<String, Object>> items = new ArrayList<>();
            for (JsonNode chat : data.path("items")) {
                String name = chat.path("name").asText("");
                if (r.query("q") != null && !name.toLowerCase(Locale.ROOT).contains(r.query("q").toLowerCase(Locale.ROOT))) {
                    continue;
                }
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("chatId", chat.path("chat_id").asText());
                item.put("name", name);
                item.put("avatarUrl", chat.path("avatar").asText(null));
                items.add(item);
            }
            return new Page<>(items, nextToken(data));
        });
    }

    private Page<Map<String, Object>> provisioned(String integrationId, Page.Request page, String q) {
        // LIKE '%' when there is no q: no untyped NULL parameter, which PostgreSQL cannot type
        return page.page(db.sql("SELECT * FROM lark_users WHERE integration_id = ? AND LOWER(COALESCE(name, open_id)) LIKE ? "
                + "ORDER BY first_seen, open_id LIMIT ? OFFSET ?")
                .params(integrationId, q == null ? "%" : "%" + q.toLowerCase(Locale.ROOT) + "%", page.size() + 1, page.offset())
                .query((rs, n) -> {
                    Map<String, Object> u = new LinkedHashMap<>();
                    u.put("openId", rs.getString("open_id"));
                    u.put("name", rs.getString("name"));
                    u.put("roleName", rs.getString("role_name"));
                    u.put("firstSeen", Timestamps.instant(rs, "first_seen"));
                    u.put("lastSeen", Timestamps.instant(rs, "last_seen"));
                    return u;
                }).list());
    }

    /**
     * Every user the app sees: the department tree ({@code departments/0/children?fetch_child=true}, paged) and each
     * department's users ({@code users/find_by_department}, paged), each user once; kept per integration for
     * {@link #TREE_CACHE}, at most {@link #MAX_USERS} users from {@link #MAX_DEPARTMENTS} departments.
     */
    private List<JsonNode> users(Integration integration) {
        Tree hit = trees.get(integration.id());
        if (hit != null && hit.at().plus(TREE_CACHE).isAfter(clock.instant())) {
            return hit.users();
        }
        try {
            List<String> departments = new ArrayList<>(List.of("0"));
            pages(integration, "/open-apis/contact/v3/departments/0/children?fetch_child=true&department_id_type=open_department_id",
                    MAX_DEPARTMENTS, d -> departments.add(d.path("open_department_id").asText()));
            Map<String, JsonNode> users = new LinkedHashMap<>();
            for (String department : departments.subList(0, Math.min(departments.size(), MAX_DEPARTMENTS))) {
                if (users.size() >= MAX_USERS) {
                    break;
                }
                pages(integration, "/open-apis/contact/v3/users/find_by_department?department_id_type=open_department_id&department_id="
                        + URLEncoder.encode(department, StandardCharsets.UTF_8), MAX_USERS - users.size(),
                        u -> users.putIfAbsent(u.path("open_id").asText(), u));
            }
            List<JsonNode> all = List.copyOf(users.values());
            Instant now = clock.instant();
            trees.values().removeIf(t -> !t.at().plus(TREE_CACHE).isAfter(now)); // up to 50 000 users each: only current trees stay
            trees.put(integration.id(), new Tree(now, all));
            return all;
        } catch (RuntimeException e) {
            throw new ApiException(502, "lark_error", "Lark answered: " + LarkApiClient.unwrap(e).getMessage());
        }
    }

    /** The items of every page of a Lark list call, at most {@code max}. */
    private void pages(Integration integration, String path, int max, java.util.function.Consumer<JsonNode> each) {
        String token = null;
        int seen = 0;
        do {
            String url = path + "&page_size=50" + (token == null ? "" : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
            JsonNode data = calls.call(apps.app(integration), "GET", url, null).path("data");
            for (JsonNode item : data.path("items")) {
                if (seen++ >= max) {
                    return;
                }
                each.accept(item);
            }
            token = nextToken(data);
        } while (token != null);
    }

    /** One Lark answer, kept for a short while per integration and {@code what} (the call and its page). */
    private JsonNode lark(Integration integration, String what, java.util.function.Supplier<JsonNode> call) {
        String key = integration.id() + " " + what;
        Cached hit = cache.get(key);
        if (hit != null && hit.at().plus(CACHE).isAfter(clock.instant())) {
            return hit.data();
        }
        try {
            JsonNode data = call.get();
            Instant now = clock.instant();
            cache.values().removeIf(c -> !c.at().plus(CACHE).isAfter(now)); // the map holds only current answers, of any integration
            cache.put(key, new Cached(now, data));
            return data;
        } catch (RuntimeException e) {
            throw new ApiException(502, "lark_error", "Lark answered: " + LarkApiClient.unwrap(e).getMessage());
        }
    }

    private static String nextToken(JsonNode data) {
        return data.path("has_more").asBoolean(false) && !data.path("page_token").asText("").isEmpty() ? data.path("page_token").asText() : null;
    }
}
