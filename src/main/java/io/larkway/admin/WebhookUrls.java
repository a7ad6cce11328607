package io.larkway.admin;

import io.larkway.admin.Integration.ConnectionMode;
import io.larkway.platform.LarkwayProperties;
import io.larkway.platform.NetworkAddresses;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Whether the webhook URLs larkway answers ({@code larkway.public-base-url} + the integration's path) can
 * work: Lark delivers events only to a public HTTPS URL. Judged from the URL alone, without DNS: the
 * scheme, and a host that is localhost, a name of a private suffix or no dot at all, or a private,
 * loopback or otherwise non-public address literal. The Test answers the warnings; at start, one log line
 * when webhook integrations exist and the base URL cannot work.
 */
@Component
public class WebhookUrls {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookUrls.class);
    /** Suffixes of names that never resolve on the public internet (RFC 6761, 6762, 8375 and common LAN ones). */
    private static final List<String> PRIVATE_SUFFIXES = List.of("localhost", "local", "localdomain", "internal", "intranet",
            "lan", "home", "corp", "home.arpa", "test", "invalid", "example");
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern NUMERIC_LAST_LABEL = Pattern.compile("(?i).*?(^|\\.)(0x[0-9a-f]*|[0-9]+)\\.?");

    private final LarkwayProperties props;
    private final Integrations integrations;

    public WebhookUrls(LarkwayProperties props, Integrations integrations) {
        this.props = props;
        this.integrations = integrations;
    }

    /** Why Lark would refuse webhook URLs under {@code baseUrl}, one sentence each; empty when it is public HTTPS. */
    public static List<String> warnings(String baseUrl) {
        return reasons(baseUrl).stream().map(reason -> "the webhook URL " + reason + ": Lark accepts only public HTTPS URLs;"
                + " set larkway.public-base-url (now " + baseUrl + ") to this service's public HTTPS address").toList();
    }

    private static List<String> reasons(String baseUrl) {
        List<String> out = new ArrayList<>();
        URI u;
        try {
            u = URI.create(baseUrl.trim());
        } catch (IllegalArgumentException e) {
            return List.of("is not a URL");
        }
        if (!"https".equalsIgnoreCase(u.getScheme())) {
            out.add("is not HTTPS");
        }
        String host = u.getHost();
        String why = host == null ? "no host" : privateHost(host.toLowerCase(Locale.ROOT));
        if (why != null) {
            out.add("has " + why);
        }
        return out;
    }

    /** Why a host is not a public one, or null when it may be. */
    private static String privateHost(String host) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.startsWith("[") || IPV4_LITERAL.matcher(name).matches()) {
            try {
                return NetworkAddresses.isPrivate(InetAddress.getByName(name)) ? "a private, loopback or reserved address as its host" : null;
            } catch (UnknownHostException | IllegalArgumentException e) {
                return "an invalid address as its host";
            }
        }
        if (NUMERIC_LAST_LABEL.matcher(name).matches()) {
            return "a host that is not a name (write an address as a.b.c.d)";
        }
        for (String suffix : PRIVATE_SUFFIXES) {
            if (name.endsWith("." + suffix) || name.equals(suffix)) {
                return "a local name as its host (" + suffix + ")";
            }
        }
        if (!name.contains(".")) {
            return "a host that is not a public name (no domain)";
        }
        return null;
    }

    /** One line at start when webhook integrations exist and their URLs cannot work (not one per integration). */
    @EventListener(ApplicationReadyEvent.class)
    public void warnAtStart() {
        List<String> reasons = reasons(props.publicBaseUrl());
        if (reasons.isEmpty()) {
            return;
        }
        int webhooks = integrations.enabled(ConnectionMode.webhook).size();
        if (webhooks > 0) {
            LOG.warn("{} webhook integration(s) will receive no events from Lark: their webhook URL {}; Lark accepts only public HTTPS URLs:"
                    + " set larkway.public-base-url (now {}) to this service's public HTTPS address", webhooks,
                    String.join(" and ", reasons), props.publicBaseUrl());
        }
    }
}
