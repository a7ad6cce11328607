package io.larkway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.larkway.LarkwayTest;
import io.larkway.emulator.LarkEmulator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** On the default base URL (http://localhost:8080) Lark would refuse the webhook URL: the Test says so, and the start logs it once. */
@ExtendWith(OutputCaptureExtension.class)
class WebhookWarningsTest extends LarkwayTest {

    @Autowired
    WebhookUrls webhookUrls;

    @Test
    void theTestOfAWebhookIntegrationWarnsThatItsUrlIsNotPublicHttps() {
        assertThat(props.publicBaseUrl()).isEqualTo("http://localhost:8080");
        String key = newOrg();
        LarkEmulator.App app = LARK.newApp();
        String id = newIntegration(key, app, "webhook", null).path("id").asText();

        Answer saved = call("POST", "/api/integrations/" + id + "/test", key, null);
        assertThat(saved.status()).isEqualTo(200);
        assertThat(saved.json().path("ok").asBoolean()).as(saved.raw()).isTrue();
        assertThat(saved.text("webhookUrl")).startsWith("http://localhost:8080/");
        JsonNode warnings = saved.json().path("warnings");
        assertThat(warnings).as(saved.raw()).hasSize(2);
        assertThat(warnings.get(0).asText()).contains("not HTTPS");
        assertThat(warnings.get(1).asText()).contains("a local name as its host (localhost)");

        Answer unsaved = call("POST", "/api/integrations/test", key, Map.of("name", "n", "appId", app.appId(), "appSecret", app.appSecret(),
                "verificationToken", "vt", "connectionMode", "webhook"));
        assertThat(unsaved.json().path("warnings")).as(unsaved.raw()).hasSize(2);
    }

    @Test
    void theStartWithAWebhookIntegrationLogsOneWarning(CapturedOutput output) {
        String key = newOrg();
        newIntegration(key, LARK.newApp(), "webhook", null);
        newIntegration(key, LARK.newApp(), "webhook", null);
        webhookUrls.warnAtStart(); // what the service runs when it is ready
        assertThat(output.getOut().lines().filter(l -> l.contains("will receive no events from Lark")))
                .singleElement().asString().contains("WARN").contains("not HTTPS").contains("larkway.public-base-url");
    }
}
