package io.larkway.emulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The contact directory of an app as a department tree, paged as Lark pages it:
 * {@code GET /open-apis/contact/v3/departments/{id}/children} (with {@code fetch_child=true} all descendants, else
 * the direct children; items as the SDK's {@code com.lark.oapi.service.contact.v3.model.Department}) and
 * {@code GET /open-apis/contact/v3/users/find_by_department?department_id=…} (the department's own users). An app
 * with no tree here gets no child departments and the emulator's flat user list. Every emulator has one
 * ({@code LarkDepartments.on(LARK)}).
 */
public final class LarkDepartments implements LarkEmulator.Extension {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CHILDREN = Pattern.compile("/open-apis/contact/v3/departments/([^/]+)/children");
    private static final Map<LarkEmulator, LarkDepartments> ON = new ConcurrentHashMap<>();

    private record Department(String id, String parentId, String name) {
    }

    private final LarkEmulator lark;
    /** appId → departments in creation order; appId → department id → its users. */
    private final Map<String, List<Department>> departments = new ConcurrentHashMap<>();
    private final Map<String, Map<String, List<ObjectNode>>> users = new ConcurrentHashMap<>();

    private LarkDepartments(LarkEmulator lark) {
        this.lark = lark;
    }

    /** The one department directory of this emulator, registered on first use. */
    public static LarkDepartments on(LarkEmulator lark) {
        return ON.computeIfAbsent(lark, l -> {
            LarkDepartments d = new LarkDepartments(l);
            l.addExtension(d);
            return d;
        });
    }

    /** Adds department {@code id} under {@code parentId} ("0": the root) to the app's tree. */
    public void addDepartment(String appId, String id, String parentId, String name) {
        departments.computeIfAbsent(appId, a -> new CopyOnWriteArrayList<>()).add(new Department(id, parentId, name));
    }

    /** Adds a user to a department of the app ("0": the root). */
    public void addUser(String appId, String departmentId, String openId, String name) {
        ObjectNode u = JSON.createObjectNode().put("open_id", openId).put("union_id", "on_" + openId).put("user_id", "u_" + openId).put("name", name);
        u.putObject("avatar").put("avatar_72", "https://example.invalid/" + openId + ".png");
        u.putArray("department_ids").add(departmentId);
        departments.computeIfAbsent(appId, a -> new CopyOnWriteArrayList<>());
        users.computeIfAbsent(appId, a -> new ConcurrentHashMap<>()).computeIfAbsent(departmentId, d -> new CopyOnWriteArrayList<>()).add(u);
    }

    @Override
    public boolean handle(HttpServerRequest req, Buffer body) {
        if (!req.method().name().equals("GET")) {
            return false;
        }
        Matcher children = CHILDREN.matcher(req.path());
        boolean byDepartment = req.path().equals("/open-apis/contact/v3/users/find_by_department");
        if (!children.matches() && !byDepartment) {
            return false;
        }
        LarkEmulator.App app = lark.authorised(req);
        if (app == null) {
            return false; // the emulator answers the missing token
        }
        List<Department> tree = departments.get(app.appId());
        if (byDepartment) {
            if (tree == null) {
                return false; // the flat list
            }
            String department = req.getParam("department_id");
            if (department == null) {
                answer(req, 400, JSON.createObjectNode().put("code", 99992402).put("msg", "field validation failed: department_id"));
                return true;
            }
            answer(req, 200, page(req, users.getOrDefault(app.appId(), Map.of()).getOrDefault(department, List.of())));
            return true;
        }
        boolean all = "true".equals(req.getParam("fetch_child"));
        List<ObjectNode> found = new ArrayList<>();
        collect(tree == null ? List.of() : tree, children.group(1), all, found);
        answer(req, 200, page(req, found));
        return true;
    }

    private static void collect(List<Department> tree, String parent, boolean all, List<ObjectNode> out) {
        for (Department d : tree) {
            if (d.parentId().equals(parent)) {
                out.add(JSON.createObjectNode().put("name", d.name()).put("department_id", "d_" + d.id()).put("open_department_id", d.id())
                        .put("parent_department_id", d.parentId()).put("member_count", 0));
                if (all) {
                    collect(tree, d.id(), true, out);
                }
            }
        }
    }

    /** Lark's paging: page_size (default 10, at most 50), page_token an offset here, has_more and the next token. */
    private static ObjectNode page(HttpServerRequest req, List<ObjectNode> all) {
        int size = req.getParam("page_size") == null ? 10 : Math.min(50, Integer.parseInt(req.getParam("page_size")));
        String token = req.getParam("page_token");
        int from = token == null || token.isEmpty() ? 0 : Integer.parseInt(token);
        ObjectNode out = JSON.createObjectNode().put("code", 0).put("msg", "success");
        ObjectNode data = out.putObject("data");
        ArrayNode items = data.putArray("items");
        all.subList(Math.min(from, all.size()), Math.min(from + size, all.size())).forEach(items::add);
        boolean more = from + size < all.size();
        data.put("has_more", more);
        if (more) {
            data.put("page_token", String.valueOf(from + size));
        }
        return out;
    }

    private static void answer(HttpServerRequest req, int status, ObjectNode body) {
        req.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8").end(body.toString());
    }
}
