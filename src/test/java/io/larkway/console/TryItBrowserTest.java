package io.larkway.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.LarkwayTest;
import io.larkway.admin.Integration;
import io.larkway.sandbox.CardExpert;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * The console's Try it tab in headless Chromium (PRODUCT.md §12): a sandbox integration, an echo expert and a trigger made
 * in the console, then a conversation as a made-up user whose Typing reaction and replies appear in the chat window, a
 * group message with @mention, and a card whose button, clicked, reaches the expert through larkway's webhook. Fails on a
 * console error of the page or a shown error banner ({@link Browser#check()}). With -Dlarkway.screenshots=true it saves
 * docs/try-it.png.
 */
class TryItBrowserTest extends LarkwayTest {
    @org.springframework.beans.factory.annotation.Autowired
    io.larkway.admin.Integrations integrations;
    private Browser browser;
    private CardExpert expert;

    @BeforeEach
    void start() {
        browser = new Browser(url(""));
    }

    @AfterEach
    void stop() {
        try {
            browser.check();
        } finally {
            browser.close();
            if (expert != null) {
                expert.close();
            }
        }
    }

    private static final By LOG = By.cssSelector("#try-it .tryit-log");

    /** A bubble of the bot in the chat window that shows {@code text}. */
    private static By botSays(String text) {
        return By.xpath("//div[contains(@class,'tryit-log')]/div[contains(@class,'tryit-msg') and not(contains(@class,'tryit-mine'))]"
                + "[div[contains(@class,'tryit-text') and contains(., '" + text + "')]]");
    }

    private void send(String text) {
        browser.type(By.cssSelector("#try-it textarea[aria-label='Message']"), text);
        browser.find(By.cssSelector("#try-it textarea[aria-label='Message']")).sendKeys(Keys.ENTER); // Enter sends
    }

    @Test
    void aMadeUpUserChatsWithTheSandboxBotInTheConsole() throws Exception {
        String key = newOrg();
        browser.open("/");
        browser.type(Browser.labelled("sign-in", "API key"), key);
        browser.find(Browser.labelled("sign-in", "API key")).sendKeys(Keys.ENTER);
        browser.waitText(By.tagName("h1"), "Integrations");

        // a sandbox integration: no credentials to enter
        browser.type(Browser.labelled("integration-form", "Name"), "Sandbox bot");
        browser.select(Browser.labelled("integration-form", "Connection mode"), "sandbox");
        browser.click(By.cssSelector("#integration-form button[type=submit]"));
        browser.until(d -> d.getCurrentUrl().matches(".*#/integrations/int_\\w+/status"));
        String id = browser.driver().getCurrentUrl().replaceAll(".*#/integrations/(int_\\w+)/status", "$1");

        // the echo expert and a trigger binding it, published
        browser.open("/#/experts");
        browser.type(Browser.labelled("expert-form", "Name"), "Echo");
        browser.click(By.cssSelector("#expert-form button[type=submit]"));
        browser.find(By.id("ask-form"));
        browser.open("/#/triggers");
        browser.select(Browser.labelled("trigger-form", "Integration"), id);
        browser.click(By.cssSelector("#trigger-form button[type=submit]"));
        browser.until(d -> d.getCurrentUrl().matches(".*#/triggers/trg_\\w+"));
        String triggerId = browser.driver().getCurrentUrl().replaceAll(".*#/triggers/", "");
        browser.click(By.cssSelector("button.publish[data-trigger='" + triggerId + "']"));
        browser.waitText(By.id("trigger-list"), "published");

        // Try it: Ada writes in her direct chat; the Typing reaction shows (a moment only: the page records whether it did), then the reply
        browser.open("/#/integrations/" + id + "/try-it");
        browser.find(LOG);
        browser.waitText(LOG, "No messages yet");
        browser.script("window.sawTyping = false; const log = document.querySelector('#try-it .tryit-log');"
                + "new MutationObserver(() => { if (log.textContent.includes('is typing')) window.sawTyping = true; })"
                + ".observe(log, {subtree: true, childList: true, characterData: true});");
        send("hello larkway");
        browser.find(botSays("hello larkway"));
        assertThat(browser.script("return window.sawTyping")).isEqualTo(true);
        assertThat(browser.find(By.cssSelector("#try-it .tryit-mine")).getText()).contains("Ada Lovelace").contains("hello larkway");

        // the group: without @mention the bot keeps quiet (mention_only), with it the bot answers
        browser.select(By.cssSelector("#try-it select[aria-label='Chat']"), "oc_sandbox_group");
        send("nobody asked you");
        browser.waitText(LOG, "nobody asked you");
        browser.click(By.xpath("//div[@id='try-it']//label[contains(., '@mention')]/input"));
        send("hi group");
        browser.find(botSays("hi group"));
        assertThat(browser.driver().findElements(botSays("nobody asked you"))).isEmpty();

        // a CardKit card entity (what a streaming expert's answer is) shows as it is now, updated live
        browser.select(By.cssSelector("#try-it select[aria-label='Chat']"), "oc_sandbox_p2p_ada");
        streamACardToAda(id);
        browser.find(botSays("streamed to the end"));

        // a card with buttons from an http expert; a click reaches the expert through the webhook, the toast shows, then its answer
        assertThat(call("PUT", "/api/triggers/" + triggerId, key, Map.of("expertId", cardExpert(key))).status()).isEqualTo(200);
        send("card");
        browser.find(botSays("Do you like it?"));
        browser.click(By.xpath("//div[contains(@class,'tryit-buttons')]/button[.='Yes']"));
        browser.until(d -> !d.findElement(By.cssSelector("#try-it .tryit-toast")).getText().isBlank());
        browser.find(botSays("clicked yes"));
        browser.screenshot("try-it");

        // it all went through the sandbox as Lark would have it: the reply to the card is a reply to the card
        JsonNode messages = call("GET", "/api/integrations/" + id + "/sandbox", key, null).json().path("messages");
        String card = null;
        String replyParent = null;
        for (JsonNode m : messages) {
            if (m.path("content").asText().contains("Do you like it?")) {
                card = m.path("messageId").asText();
            }
            if (m.path("content").asText().contains("clicked yes")) {
                replyParent = m.path("parentId").asText();
            }
        }
        assertThat(replyParent).isNotNull().isEqualTo(card);
    }

    /** As the flow streams an answer: a card entity sent to Ada, its element updated, streaming closed (the sandbox's Open API). */
    private void streamACardToAda(String integrationId) {
        Integration app = integrations.find(integrationId).orElseThrow();
        String api = "/sandbox/" + integrationId + "/open-apis/";
        String token = call("POST", api + "auth/v3/tenant_access_token/internal", null,
                Map.of("app_id", app.appId(), "app_secret", app.appSecret())).text("tenant_access_token");
        String card = "{\"schema\":\"2.0\",\"config\":{\"streaming_mode\":true},\"body\":{\"elements\":"
                + "[{\"tag\":\"markdown\",\"element_id\":\"answer\",\"content\":\"streamed\"}]}}";
        String cardId = call("POST", api + "cardkit/v1/cards", token, Map.of("type", "card_json", "data", card)).json().path("data").path("card_id").asText();
        assertThat(call("POST", api + "im/v1/messages?receive_id_type=open_id", token, Map.of("receive_id", "ou_sandbox_ada", "msg_type", "interactive",
                "content", "{\"type\":\"card\",\"data\":{\"card_id\":\"" + cardId + "\"}}")).json().path("code").asInt()).isZero();
        browser.find(botSays("streamed"));
        assertThat(call("PUT", api + "cardkit/v1/cards/" + cardId + "/elements/answer/content", token,
                Map.of("content", "streamed to the end", "sequence", 1)).json().path("code").asInt()).isZero();
        assertThat(call("PATCH", api + "cardkit/v1/cards/" + cardId + "/settings", token,
                Map.of("settings", "{\"config\":{\"streaming_mode\":false}}", "sequence", 2)).json().path("code").asInt()).isZero();
    }

    private String cardExpert(String key) throws Exception {
        expert = CardExpert.start();
        Answer e = call("POST", "/api/experts", key, Map.of("name", "cards", "type", "http", "url", expert.url()));
        assertThat(e.status()).as(e.raw()).isEqualTo(201);
        return e.text("id");
    }
}
