package io.larkway.expert;

import io.larkway.flow.content.TurnContents;
import java.util.List;
import io.larkway.admin.ApiException;
import io.larkway.admin.ApiHandlers;
import io.larkway.admin.Json;
import io.larkway.platform.LarkwayProperties;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The console's "Ask" button: {@code POST /api/experts/{id}/ask {text}} → {@code {text}}, one question to the
 * caller's own expert through the same call a turn makes (same URL policy, timeout and answer bound), in a
 * conversation of its own that is not remembered. An expert that fails answers 502 with the reason a turn logs. At most
 * {@code larkway.limits.turns-per-org} asks of one organisation run at a time on this instance; more answer 429.
 */
@Component
public class ExpertAsk implements ApiHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(ExpertAsk.class);
    /** The longest question, in characters (a Lark text message is at most 150 KB; a test question is short). */
    static final int MAX_TEXT = 4000;
    private final Experts experts;
    private final ExpertCalls calls;
    private final int maxPerOrg;
    /** Asks in flight per organisation: each holds a web server thread (shared by every tenant) for up to the expert timeout. */
    private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();

    public ExpertAsk(Experts experts, ExpertCalls calls, LarkwayProperties props) {
        this.experts = experts;
        this.calls = calls;
        this.maxPerOrg = props.limits().turnsPerOrg();
    }

    @Override
    public void register(Registrar api) {
        api.register("expert-ask", "POST", "/api/experts/{id}/ask", (c, r) -> {
            Expert expert = experts.get(c.requireOrg(), r.path("id"));
            String text = Json.required(r.body(), "text", null);
            Json.maxLength("text", text, MAX_TEXT);
            ExpertCalls.Turn turn = new ExpertCalls.Turn(null, "ask_" + UUID.randomUUID(), text, "console", "console", "console", "p2p", "en",
                    new TurnContents.Content(text, "console", null, List.of()), null);
            Semaphore slots = inFlight.computeIfAbsent(expert.orgId(), org -> new Semaphore(maxPerOrg));
            if (!slots.tryAcquire()) {
                LOG.info("Expert ask refused expertId={}: {} asks of the organisation in flight", expert.id(), maxPerOrg);
                throw new ApiException(429, "too_many_requests", "at most " + maxPerOrg
                        + " asks of an organisation at a time (larkway.limits.turns-per-org): wait for an answer");
            }
            try {
                return Map.of("text", calls.call(expert, turn, partial -> { }).content());
            } catch (ExpertCalls.ExpertException e) {
                LOG.info("Expert ask failed expertId={}: {}", expert.id(), e.getMessage());
                throw new ApiException(502, "expert_error", e.getMessage());
            } finally {
                slots.release();
            }
        });
    }
}
