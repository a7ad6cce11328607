package io.larkway.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import io.larkway.emulator.LarkWebSocketServer;
import io.larkway.emulator.WebhookSender;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * The console in headless Chromium against the service and the Lark emulator (PRODUCT.md §12). Every test fails on
 * a console error of the page or a shown error banner ({@link Browser#check()}). With -Dlarkway.screenshots=true
 * it saves the README's pictures into docs/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserTest extends LarkwayTest {
    static final LarkWebSocketServer WS = LarkWebSocketServer.on(LARK);
    private Browser browser;

    @BeforeAll
    void start() {
        browser = new Browser(url(""));
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void fresh() {
        browser.size(1280, 900);
        browser.open("/");
        browser.script("sessionStorage.clear()");
        browser.open("/#/");
        browser.driver().navigate().refresh();
    }

    @AfterEach
    void noErrors() {
        browser.check();
    }

    private void signIn(String key) {
        browser.type(Browser.labelled("sign-in", "API key"), key);
        browser.find(Browser.labelled("sign-in", "API key")).sendKeys(Keys.ENTER); // keyboard: Enter submits
    }

    @Test
    void theFixtureFailsOnAConsoleErrorAndOnAnErrorBanner() {
        browser.find(By.id("sign-in"));
        browser.script("console.error('broken')");
        org.assertj.core.api.Assertions.assertThatThrownBy(browser::check).hasMessageContaining("broken");
        browser.script("const b = document.getElementById('banner'); b.textContent = 'The console failed: x'; b.hidden = false;");
        org.assertj.core.api.Assertions.assertThatThrownBy(browser::check).hasMessageContaining("The console failed: x");
        browser.script("document.getElementById('banner').hidden = true;");
    }

    @Test
    void theTryItPageRunsUnderTheContentSecurityPolicy() {
        // its script is a file now (script-src 'self'): it signs in, lists the sandbox and mounts the chat window without a CSP error
        String key = newOrg();
        String id = call("POST", "/api/integrations", key, java.util.Map.of("name", "Try box", "connectionMode", "sandbox")).text("id");
        browser.open("/try-it.html");
        browser.type(By.id("key"), key);
        browser.find(By.id("key")).sendKeys(Keys.ENTER);
        browser.until(d -> !d.findElements(By.cssSelector("#integration option[value='" + id + "']")).isEmpty());
        browser.until(d -> !d.findElements(By.cssSelector("#chat *")).isEmpty());
        org.assertj.core.api.Assertions.assertThat(browser.find(By.id("pick")).isDisplayed()).isTrue();
        org.assertj.core.api.Assertions.assertThat(browser.find(By.id("error")).getText()).isEmpty();
    }

    @Test
    void adminKeyManagesOrganisations() {
        signIn("not-a-key");
        browser.waitText(By.cssSelector("#sign-in [data-error-for='key']"), "not a key larkway knows");
        assertThat(browser.driver().getCurrentUrl()).doesNotContain("not-a-key");

        signIn(ADMIN_KEY);
        browser.waitText(By.tagName("h1"), "Organisations");
        assertThat(browser.driver().getCurrentUrl()).doesNotContain(ADMIN_KEY);
        String name = "Acme " + UUID.randomUUID().toString().substring(0, 6);
        browser.type(Browser.labelled("org-form", "Name"), name);
        browser.click(By.cssSelector("#org-form button[type=submit]"));
        String key = browser.find(By.cssSelector("#org-key input")).getAttribute("value");
        browser.waitText(By.id("org-list"), name);
        // the shown key is a working organisation key
        assertThat(call("GET", "/api/integrations", key, null).status()).isEqualTo(200);

        browser.click(By.xpath("//section[@id='org-list']//tr[td[normalize-space(.)='" + name + "']]//button[.='Rotate key']"));
        browser.acceptAlert();
        browser.until(d -> !key.equals(d.findElement(By.cssSelector("#org-key input")).getAttribute("value")));
        assertThat(call("GET", "/api/integrations", key, null).status()).isEqualTo(401);

        // an empty name is refused next to the field, as a sentence
        browser.click(By.cssSelector("#org-form button[type=submit]"));
        browser.waitText(By.cssSelector("#org-form [data-error-for='name']"), "Name is required.");

        browser.click(By.id("sign-out"));
        browser.find(By.id("sign-in"));
        assertThat(browser.script("return sessionStorage.length")).isEqualTo(0L);
    }

    @Test
    void operatesIntegrationsExpertsTriggersSessionsAndDeadLetters() {
        String key = newOrg();
        signIn(key);
        browser.waitText(By.tagName("h1"), "Integrations");

        // a webhook integration; a missing field first: the API's sentence next to it
        LarkEmulator.App hook = LARK.newApp();
        browser.type(Browser.labelled("integration-form", "Name"), "Support bot");
        browser.click(By.cssSelector("#integration-form button[type=submit]"));
        browser.waitText(By.cssSelector("#integration-form [data-error-for='appId']"), "AppId is required.");
        browser.type(Browser.labelled("integration-form", "App ID"), hook.appId());
        browser.select(Browser.labelled("integration-form", "Connection mode"), "webhook");
        browser.type(Browser.labelled("integration-form", "App Secret"), hook.appSecret());
        browser.type(Browser.labelled("integration-form", "Verification Token"), "vt-" + hook.appId());
        browser.click(By.cssSelector("#integration-form button[type=submit]"));
        browser.until(d -> d.getCurrentUrl().matches(".*#/integrations/int_\\w+/status"));
        String hookId = browser.driver().getCurrentUrl().replaceAll(".*#/integrations/(int_\\w+)/status", "$1");
        browser.waitText(By.id("status-value"), "waiting_for_first_delivery");

        // Test: the credentials, the webhook URL with its copy button and the warning (not public HTTPS)
        browser.click(By.id("tab-settings"));
        browser.click(By.xpath("//form[@id='integration-form']//button[.='Test']"));
        browser.waitText(By.id("test-ok"), hook.botName());
        assertThat(browser.find(By.id("webhook-url")).getAttribute("value")).endsWith("/api/lark/webhook/" + hookId);
        assertThat(browser.find(By.cssSelector(".test-warning")).getText()).contains("HTTPS");
        browser.click(By.xpath("//button[.='Copy']"));
        browser.until(d -> !d.findElement(By.cssSelector("#test-ok ~ div .hint")).getText().isEmpty());
        browser.screenshot("console-integration-test");

        // a long-connection integration: Status turns connected by itself, then disconnect and reconnect
        LarkEmulator.App ws = LARK.newApp();
        browser.open("/#/integrations");
        browser.type(Browser.labelled("integration-form", "Name"), "Ops bot");
        browser.type(Browser.labelled("integration-form", "App ID"), ws.appId());
        browser.type(Browser.labelled("integration-form", "App Secret"), ws.appSecret());
        assertThat(browser.find(Browser.labelled("integration-form", "App Secret")).getAttribute("type")).isEqualTo("password");
        browser.click(By.cssSelector("#integration-form button[type=submit]"));
        browser.waitText(By.id("status-value"), "connected");
        browser.waitText(By.id("status-live"), ws.botName());
        browser.screenshot("console-status");
        browser.click(By.id("status-disconnect"));
        browser.waitText(By.id("status-value"), "idle");
        browser.click(By.id("status-reconnect"));
        browser.until(d -> d.findElement(By.id("status-value")).getText().equals("connected"));
        browser.waitText(By.id("status-events"), "→ connected");
        browser.click(By.id("tab-settings"));
        browser.click(By.xpath("//form[@id='integration-form']//button[.='Test']"));
        browser.waitText(By.id("probe"), "the handshake succeeded");

        browser.open("/#/integrations");
        browser.waitText(By.cssSelector("main table"), "Ops bot");
        browser.screenshot("console-integrations");

        // an expert, and Ask
        browser.open("/#/experts");
        browser.type(Browser.labelled("expert-form", "Name"), "Echo");
        browser.click(By.cssSelector("#expert-form button[type=submit]"));
        browser.type(Browser.labelled("ask-form", "Question"), "Are you there?");
        browser.click(By.cssSelector("#ask-form button[type=submit]"));
        browser.waitText(By.id("ask-answer"), "Are you there?");
        browser.screenshot("console-experts");

        // a trigger for one user picked in the picker, published
        String user = "ou_console_" + UUID.randomUUID().toString().substring(0, 8);
        String userName = "Console Tester " + user.substring(11);
        LARK.addUser(user, userName);
        browser.open("/#/triggers");
        browser.select(Browser.labelled("trigger-form", "Integration"), hookId);
        browser.select(Browser.labelled("trigger-form", "Direct chats"), "selected_users");
        browser.type(By.cssSelector("#picker-directChat-users input[type=search]"), userName);
        browser.click(By.xpath("//fieldset[@id='picker-directChat-users']//button[.='Search']"));
        browser.click(By.cssSelector("#picker-directChat-users button.pick[data-id='" + user + "']"));
        browser.waitText(By.cssSelector("#picker-directChat-users .chips"), userName);
        browser.click(By.cssSelector("#trigger-form button[type=submit]"));
        browser.until(d -> d.getCurrentUrl().matches(".*#/triggers/trg_\\w+"));
        String triggerId = browser.driver().getCurrentUrl().replaceAll(".*#/triggers/", "");
        browser.click(By.cssSelector("button.publish[data-trigger='" + triggerId + "']"));
        browser.waitText(By.id("trigger-list"), "published");
        browser.screenshot("console-triggers");
        JsonNode trigger = call("GET", "/api/triggers/" + triggerId, key, null).json();
        assertThat(trigger.path("published").asBoolean()).isTrue();
        assertThat(trigger.path("directChat").path("users").get(0).asText()).isEqualTo(user);

        // the user writes while Lark refuses the bot's sends: a session and a dead letter
        LARK.refuse(hook.appId(), "POST", "/open-apis/im/v1/messages.*", 503, "{\"code\":-1,\"msg\":\"service unavailable\"}");
        try {
            WebhookSender sender = new WebhookSender(hook.appId(), "vt-" + hook.appId(), null);
            WebhookSender.post(url("/api/lark/webhook/" + hookId), sender.message(UUID.randomUUID().toString(), "om_" + UUID.randomUUID(), "p2p",
                    "oc_" + user, user, "hello from the console test", Instant.now()));
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    call("GET", "/api/integrations/" + hookId + "/dead-letters", key, null).json().path("items").size() == 1);
        } finally {
            LARK.clearFaults(hook.appId());
        }
        browser.open("/#/integrations/" + hookId + "/dead-letters");
        // the outage opened the integration's breaker (open for a couple of wall-clock seconds here): until it lets a call
        // through, a retry fails again and says so; the operator retries
        browser.until(d -> {
            if (d.findElement(By.id("dead-letters")).getText().contains("Retried: delivered.")) {
                return true;
            }
            d.findElements(By.cssSelector("#dead-letters button.retry:enabled")).forEach(org.openqa.selenium.WebElement::click);
            return false;
        });
        assertThat(LARK.messages(hook.appId())).hasSize(1);

        // Sessions: the user's session, ended from the console
        String before = call("GET", "/api/sessions?integrationId=" + hookId, key, null).json().path("items").get(0).path("conversationId").asText();
        browser.open("/#/integrations/" + hookId + "/sessions");
        browser.select(Browser.labelled("sessions-form", "Chat type"), "p2p");
        browser.click(By.cssSelector("#sessions-form button[type=submit]"));
        browser.waitText(By.id("sessions-list"), user);
        browser.click(By.cssSelector("#sessions-list button.end-session"));
        browser.waitText(By.id("sessions-form"), "Conversation ended");
        assertThat(call("GET", "/api/sessions?integrationId=" + hookId, key, null).json().path("items").get(0).path("conversationId").asText())
                .isNotEqualTo(before);

        // Users: search finds the user
        browser.open("/#/integrations/" + hookId + "/users");
        browser.type(Browser.labelled("users-form", "Search by name"), userName);
        browser.click(By.cssSelector("#users-form button[type=submit]"));
        browser.waitText(By.id("users-list"), user);

        // 360 px wide: nothing wider than the screen
        browser.size(360, 800);
        browser.open("/#/integrations/" + hookId + "/status");
        browser.find(By.id("status-value"));
        browser.until(d -> (Boolean) browser.script("return document.documentElement.scrollWidth <= window.innerWidth"));
    }
}
