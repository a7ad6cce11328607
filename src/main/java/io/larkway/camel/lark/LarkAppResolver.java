package io.larkway.camel.lark;

import java.util.List;
import java.util.Optional;

/**
 * How the {@code lark} component learns the apps it acts for: the application implements it
 * (larkway: from its integrations). An integration id is the {@link LarkApp#owner()}.
 */
public interface LarkAppResolver {
    /** The credentials and Open API base URL of the integration, or empty when there is no such integration. */
    Optional<LarkApp> app(String integrationId);

    /** The apps that should hold a long connection now (larkway: every enabled long-connection integration). */
    List<LarkApp> longConnectionApps();
}
