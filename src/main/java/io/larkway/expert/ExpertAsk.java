package io.larkway.expert;

import io.larkway.flow.content.TurnContents;
import java.util.List;
import io.larkway.admin.ApiException;
import io.larkway.admin.ApiHandlers;
import io.larkway.admin.Json;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The console's "Ask" button: {@code POST /api/experts/{id}/ask {text}} → {@code {text}}, one question to the
 * caller's own expert through the same call a turn makes (same URL policy, timeout and answer bound), in a
 * conversation of its own that is not remembered. An expert that fails answers 502 with the reason a turn logs.
 */
@Component
public class ExpertAsk implements ApiHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(ExpertAsk.class);
    /** The longest question, in characters (a Lark text message is at most 150 KB; a test question is short). */
    static final int MAX_TEXT = 4000;
    private final Experts experts;
    private final ExpertCalls calls;

    public ExpertAsk(Experts experts, ExpertCalls calls) {
        this.experts = experts;
        this.calls = calls;
    }

    @Override
    public void register(Registrar api) {
        api.register("expert-ask", "POST", "/api/experts/{id}/ask", (c, r) -> {
            Expert expert = experts.get(c.requireOrg(), r.path("id"));
            String text = Json.required(r.body(), "text", null);
            Json.maxLength("text", text, MAX_TEXT);
            ExpertCalls.Turn turn = new ExpertCalls.Turn(null, "ask_" + UUID.randomUUID(), text, "console", "console", "console", "p2p", "en",
                    new TurnContents.Content(text, "console", null, List.of()), null);
            try {
                return Map.of("text", calls.call(expert, turn, partial -> { }).content());
            } catch (ExpertCalls.ExpertException e) {
                LOG.info("Expert ask failed expertId={}: {}", expert.id(), e.getMessage());
                throw new ApiException(502, "expert_error", e.getMessage());
            }
        });
    }
}
