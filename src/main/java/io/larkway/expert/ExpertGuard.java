package io.larkway.expert;

import io.larkway.platform.LarkwayProperties;
import io.larkway.platform.NetworkAddresses;
import io.larkway.expert.ExpertCalls.ExpertException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.springframework.stereotype.Component;

/**
 * What an organisation's expert may reach. A {@code camel} expert names an expert route the operator
 * wrote ({@code direct:<name>}, a route in the group {@value #CAMEL_ROUTE_GROUP}); its uri is never
 * resolved as a Camel URI (no property placeholders, no options, no other components). An {@code http}
 * or {@code openai} expert's URL is http(s) and, unless {@code larkway.experts.allow-private-networks},
 * never on a loopback, link-local, private, shared (CGNAT), unspecified or multicast address.
 */
@Component
public class ExpertGuard {
    /** The route group an operator gives a route to offer it as a camel expert. */
    public static final String CAMEL_ROUTE_GROUP = "experts";
    static final String NOT_ALLOWED = "the expert's address is not allowed (private network)";
    private static final Pattern CAMEL_URI = Pattern.compile("direct:([A-Za-z0-9._-]{1,200})");
    /** Hosts checked already when an expert is saved: IPv6 and dotted-quad IPv4 literals, and localhost. */
    private static final Pattern LITERAL_HOST = Pattern.compile("\\[.+]|\\d{1,3}(\\.\\d{1,3}){3}|(?i)(.*\\.)?localhost\\.?");
    /** A host whose every label is a number (decimal, octal or 0x-hex): an IPv4 address in one of inet_aton's forms, not a name. */
    private static final Pattern NUMERIC_HOST = Pattern.compile("(?i)(0x[0-9a-f]*|[0-9]+)(\\.(0x[0-9a-f]*|[0-9]+))*\\.?");

    private final CamelContext camel;
    private final boolean allowPrivateNetworks;

    public ExpertGuard(CamelContext camel, LarkwayProperties props) {
        this.camel = camel;
        this.allowPrivateNetworks = props.experts().allowPrivateNetworks();
    }

    /** The expert route a camel expert's uri names, if the uri is {@code direct:<name>} and such a route runs. */
    public Optional<Route> camelRoute(String uri) {
        Matcher m = uri == null ? null : CAMEL_URI.matcher(uri);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        String base = "direct://" + m.group(1);
        return camel.getRoutes().stream()
                .filter(r -> CAMEL_ROUTE_GROUP.equals(r.getGroup()) && base.equals(r.getEndpoint().getEndpointBaseUri()))
                .findFirst();
    }

    /** Why a camel expert's uri is refused, or null when it names an expert route. */
    String camelUriProblem(String uri) {
        if (uri == null || !CAMEL_URI.matcher(uri).matches()) {
            return "uri must be direct:<name> with a name of letters, digits, '.', '_' or '-' (the operator's expert route)";
        }
        if (camelRoute(uri).isEmpty()) {
            return "no expert route consumes from " + uri + " (the operator's routes in the group '" + CAMEL_ROUTE_GROUP + "')";
        }
        return null;
    }

    /** Why an http(s) expert URL is refused when it is saved, or null. Host names are checked again at every call. */
    String urlProblem(String url) {
        URI u;
        try {
            u = URI.create(url);
        } catch (IllegalArgumentException e) {
            return "url must be an http(s) URL";
        }
        if (!isHttp(u) || u.getHost() == null) {
            return "url must be an http(s) URL";
        }
        if (!LITERAL_HOST.matcher(u.getHost()).matches() && NUMERIC_HOST.matcher(u.getHost()).matches()) {
            return "url: write an IPv4 address as four decimal numbers (a.b.c.d)";
        }
        if (!allowPrivateNetworks && LITERAL_HOST.matcher(u.getHost()).matches()) {
            try {
                if (anyPrivate(InetAddress.getAllByName(u.getHost()))) {
                    return "url: " + NOT_ALLOWED;
                }
            } catch (UnknownHostException e) {
                // not an address after all; the call checks what it resolves to
            }
        }
        return null;
    }

    /**
     * Checks the addresses the expert's host resolves to now (DNS can change after the expert was saved).
     * Residual risk: java.net.http.HttpClient resolves the host again when it connects, so a DNS answer
     * that changes between this check and the connect (rebinding with a zero TTL) is not caught; the JVM's
     * positive DNS cache (30 s by default) makes that window small. Redirects are never followed
     * (HttpClient.Redirect.NEVER), so an allowed host cannot send the call on to a private one.
     */
    public void checkDestination(URI u) {
        if (!isHttp(u) || u.getHost() == null) {
            throw new ExpertException("the expert's url is not an http(s) URL");
        }
        if (allowPrivateNetworks) {
            return;
        }
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(u.getHost());
        } catch (UnknownHostException e) {
            throw new ExpertException("the expert's host name does not resolve");
        }
        if (anyPrivate(all)) {
            throw new ExpertException(NOT_ALLOWED);
        }
    }

    private static boolean isHttp(URI u) {
        return "http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme());
    }

    private static boolean anyPrivate(InetAddress[] all) {
        for (InetAddress a : all) {
            if (NetworkAddresses.isPrivate(a)) {
                return true;
            }
        }
        return false;
    }
}
