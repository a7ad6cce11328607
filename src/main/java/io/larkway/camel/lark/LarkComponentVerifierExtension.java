package io.larkway.camel.lark;

import io.larkway.camel.lark.ws.ConnectionVerifier;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.component.extension.ComponentVerifierExtension;
import org.apache.camel.component.extension.verifier.DefaultComponentVerifierExtension;
import org.apache.camel.component.extension.verifier.ResultBuilder;
import org.apache.camel.component.extension.verifier.ResultErrorBuilder;

/**
 * The {@code lark} component's verifier: {@link Scope#CONNECTIVITY} completes a long-connection
 * handshake ({@link ConnectionVerifier}: endpoint, WebSocket upgrade, close) without touching the
 * live connection. Parameters: {@value #INTEGRATION_ID} (an app the {@link LarkAppResolver}
 * knows), or {@value #APP_ID}, {@value #APP_SECRET} and {@value #BASE_URL} for an app not saved
 * yet. A failure is one {@code GENERIC} error whose description is the reason (never credentials).
 */
public class LarkComponentVerifierExtension extends DefaultComponentVerifierExtension {
    public static final String INTEGRATION_ID = "integrationId";
    public static final String APP_ID = "appId";
    public static final String APP_SECRET = "appSecret";
    public static final String BASE_URL = "baseUrl";

    public LarkComponentVerifierExtension(LarkComponent component) {
        super("lark", null, component);
    }

    @Override
    protected Result verifyParameters(Map<String, Object> parameters) {
        ResultBuilder builder = ResultBuilder.withStatusAndScope(Result.Status.OK, Scope.PARAMETERS);
        if (!parameters.containsKey(INTEGRATION_ID)) {
            for (String option : new String[] {APP_ID, APP_SECRET, BASE_URL}) {
                if (parameters.get(option) == null) {
                    builder.error(ResultErrorBuilder.withMissingOption(option).build());
                }
            }
        }
        return builder.build();
    }

    @Override
    protected Result verifyConnectivity(Map<String, Object> parameters) {
        Result checked = verifyParameters(parameters);
        if (checked.getStatus() != Result.Status.OK) {
            return ResultBuilder.withStatusAndScope(Result.Status.ERROR, Scope.CONNECTIVITY).error(checked.getErrors().get(0)).build();
        }
        LarkComponent lark = (LarkComponent) getComponent();
        Optional<LarkApp> app = parameters.containsKey(INTEGRATION_ID)
                ? lark.getAppResolver().app(String.valueOf(parameters.get(INTEGRATION_ID)))
                : Optional.of(new LarkApp(String.valueOf(parameters.get(BASE_URL)), String.valueOf(parameters.get(APP_ID)),
                        String.valueOf(parameters.get(APP_SECRET))));
        ResultBuilder builder = ResultBuilder.withStatusAndScope(Result.Status.OK, Scope.CONNECTIVITY);
        if (app.isEmpty()) {
            return builder.error(ResultErrorBuilder.withIllegalOption(INTEGRATION_ID, String.valueOf(parameters.get(INTEGRATION_ID)))
                    .description("no such integration").build()).build();
        }
        lark.verifier().verify(app.get()).ifPresent(reason -> builder.error(
                ResultErrorBuilder.withCodeAndDescription(ComponentVerifierExtension.VerificationError.StandardCode.GENERIC, reason).build()));
        return builder.build();
    }
}
