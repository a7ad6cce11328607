package io.larkway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkDepartments;
import io.larkway.emulator.LarkEmulator;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The users selector walks the whole department tree (PRODUCT.md §10): q finds a user deep in it, on a later page of Lark's. */
class DepartmentTreeTest extends LarkwayTest {
    static final LarkDepartments TREE = LarkDepartments.on(LARK);

    @Test
    void qFindsAUserInANestedDepartmentOnALaterPage() {
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        TREE.addUser(app.appId(), "0", "ou_ceo", "Root Person");
        TREE.addDepartment(app.appId(), "od_eng", "0", "Engineering");
        TREE.addDepartment(app.appId(), "od_platform", "od_eng", "Platform");
        TREE.addDepartment(app.appId(), "od_sales", "0", "Sales");
        for (int i = 0; i < 60; i++) {
            TREE.addUser(app.appId(), "od_platform", "ou_plat_" + i, "Platform member " + i);
        }
        TREE.addUser(app.appId(), "od_platform", "ou_zelda", "Zelda Deep");
        TREE.addUser(app.appId(), "od_sales", "ou_sam", "Sam Seller");
        String id = newIntegration(key, app, "webhook", null).path("id").asText();

        JsonNode found = call("GET", "/api/integrations/" + id + "/users?q=zelda", key, null).json();
        assertThat(found.path("items")).hasSize(1);
        assertThat(found.path("items").get(0).path("openId").asText()).isEqualTo("ou_zelda");
        assertThat(found.path("items").get(0).path("name").asText()).isEqualTo("Zelda Deep");
        // Lark's pages were walked: the nested department's second page
        assertThat(LARK.requests("GET", "/open-apis/contact/v3/users/find_by_department").stream()
                .filter(r -> r.query().contains("od_platform") && r.query().contains("page_token=50"))).isNotEmpty();

        // every user once, paged by larkway
        Set<String> all = new HashSet<>();
        String token = null;
        do {
            JsonNode page = call("GET", "/api/integrations/" + id + "/users?pageSize=25" + (token == null ? "" : "&pageToken=" + token), key, null).json();
            page.path("items").forEach(u -> all.add(u.path("openId").asText()));
            token = page.path("nextPageToken").isNull() ? null : page.path("nextPageToken").asText();
        } while (token != null);
        assertThat(all).hasSize(63).contains("ou_ceo", "ou_sam", "ou_zelda", "ou_plat_59");

        // cached per integration: no walk again until the cache runs out on the clock
        int calls = LARK.requests("GET", "/open-apis/contact/v3/.*").size();
        assertThat(call("GET", "/api/integrations/" + id + "/users?q=sam", key, null).json().path("items")).hasSize(1);
        assertThat(LARK.requests("GET", "/open-apis/contact/v3/.*")).hasSize(calls);
        TREE.addUser(app.appId(), "od_sales", "ou_newbie", "Newly Hired");
        clock.advance(Duration.ofMinutes(6));
        assertThat(call("GET", "/api/integrations/" + id + "/users?q=newly", key, null).json().path("items")).hasSize(1);
    }
}
