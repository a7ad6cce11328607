package io.larkway.platform;

import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/**
 * Which Open API base URL an integration talks to: Feishu or Lark ({@code larkway.lark.*-base-url}), or,
 * for a sandbox integration, larkway's own sandbox under {@code /sandbox/{integrationId}} (at
 * {@code larkway.sandbox.base-url}, or this server's own port on the loopback address when that is empty).
 */
@Component
public class LarkBaseUrls implements ApplicationListener<WebServerInitializedEvent> {
    private final LarkwayProperties.Lark lark;
    private final String sandboxBase;
    private volatile int localPort = -1;

    public LarkBaseUrls(LarkwayProperties props) {
        this.lark = props.lark();
        String configured = props.sandbox().baseUrl().trim();
        this.sandboxBase = configured.endsWith("/") ? configured.substring(0, configured.length() - 1) : configured;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext().getServerNamespace() == null) { // the application's server, not a management one
            localPort = event.getWebServer().getPort();
        }
    }

    /** Feishu's or Lark's Open API. */
    public String lark(boolean international) {
        return lark.baseUrl(international);
    }

    /** Where larkway itself answers (the sandbox's Open API and its webhook deliveries). */
    public String self() {
        if (!sandboxBase.isEmpty()) {
            return sandboxBase;
        }
        if (localPort < 0) {
            throw new IllegalStateException("the web server has not started yet");
        }
        return "http://127.0.0.1:" + localPort;
    }

    /** The sandbox Open API of one sandbox integration. */
    public String sandbox(String integrationId) {
        return self() + "/sandbox/" + (integrationId == null ? "unsaved" : integrationId);
    }
}
