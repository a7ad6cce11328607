package io.larkway.sandbox;

import io.larkway.admin.Integration;
import io.larkway.admin.IntegrationChanged;
import io.larkway.admin.Integrations;
import io.larkway.platform.LarkwayProperties;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The sandboxes of this instance: one {@link SandboxState} per sandbox integration (made when first
 * used, dropped when the integration is deleted or leaves sandbox mode) and the chat windows
 * listening to it (server-sent events; at most {@link #MAX_LISTENERS} per integration, the oldest
 * closed first). State is in memory: a restart starts every sandbox afresh.
 */
@Component
public class Sandboxes {
    private static final Logger LOG = LoggerFactory.getLogger(Sandboxes.class);
    public static final int MAX_LISTENERS = 8;

    private final Integrations integrations;
    private final int maxMessages;
    private final Map<String, SandboxState> states = new ConcurrentHashMap<>();
    private final Map<String, List<SseEmitter>> listeners = new ConcurrentHashMap<>();

    public Sandboxes(Integrations integrations, LarkwayProperties props) {
        this.integrations = integrations;
        this.maxMessages = props.sandbox().maxMessages();
    }

    /** The sandbox integration {@code integrationId} (any organisation's: the Open API checks the app's token), else empty. */
    public Optional<Integration> integration(String integrationId) {
        return integrations.find(integrationId).filter(Integration::isSandbox);
    }

    /** The caller organisation's sandbox integration, else 404 (another organisation's, or not a sandbox). */
    public Integration integration(String orgId, String integrationId) {
        Integration i = integrations.get(orgId, integrationId);
        if (!i.isSandbox()) {
            throw io.larkway.admin.ApiException.notFound("sandbox of integration " + integrationId);
        }
        return i;
    }

    public SandboxState state(Integration sandbox) {
        return states.computeIfAbsent(sandbox.id(), id -> new SandboxState(id, maxMessages, change -> publish(id, change)));
    }

    @EventListener
    void changed(IntegrationChanged change) {
        if (change.after() == null || !change.after().isSandbox()) {
            states.remove(change.id());
            List<SseEmitter> gone = listeners.remove(change.id());
            if (gone != null) {
                gone.forEach(SseEmitter::complete);
            }
        }
    }

    /** Ends every chat window's stream when the service stops: an open stream would hold the web server's graceful shutdown. */
    @EventListener(org.springframework.context.event.ContextClosedEvent.class)
    void closing() {
        listeners.values().forEach(list -> list.forEach(SseEmitter::complete));
        listeners.clear();
    }

    /** Adds a chat window's stream; the oldest of more than {@link #MAX_LISTENERS} is closed. */
    public void listen(String integrationId, SseEmitter emitter) {
        List<SseEmitter> list = listeners.computeIfAbsent(integrationId, id -> new CopyOnWriteArrayList<>());
        list.add(emitter);
        emitter.onCompletion(() -> list.remove(emitter));
        emitter.onTimeout(() -> list.remove(emitter));
        emitter.onError(e -> list.remove(emitter));
        while (list.size() > MAX_LISTENERS) {
            SseEmitter oldest = list.remove(0);
            oldest.complete();
        }
    }

    private void publish(String integrationId, SandboxState.Change change) {
        List<SseEmitter> list = listeners.get(integrationId);
        if (list == null || list.isEmpty()) {
            return;
        }
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", change.type());
        SandboxState state = states.get(integrationId);
        event.put("message", state == null ? null : view(state, change.message()));
        if (change.reaction() != null) {
            event.put("reaction", view(change.reaction()));
        }
        for (SseEmitter emitter : new ArrayList<>(list)) {
            try {
                emitter.send(SseEmitter.event().name("sandbox").data(event, org.springframework.http.MediaType.APPLICATION_JSON));
            } catch (IOException | IllegalStateException e) {
                LOG.debug("Sandbox listener gone integrationId={}: {}", integrationId, e.toString());
                list.remove(emitter);
            }
        }
    }

    /** The chat window's view of a message. */
    public static Map<String, Object> view(SandboxState state, SandboxState.Message m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("messageId", m.messageId);
        out.put("chatId", m.chatId);
        out.put("fromBot", m.fromBot);
        out.put("senderId", m.fromBot ? state.botOpenId() : m.senderId);
        out.put("senderName", m.fromBot ? "Bot" : state.user(m.senderId).map(SandboxState.User::name).orElse(m.senderId));
        out.put("msgType", m.msgType);
        out.put("content", m.content);
        // a CardKit card entity's message: the card as it shows now (its content only names the card)
        out.put("card", state.cardJson(m));
        out.put("parentId", m.parentId);
        out.put("createTime", m.createTime);
        out.put("updateTime", m.updateTime);
        out.put("reactions", state.reactions(m).stream().map(Sandboxes::view).toList());
        return out;
    }

    private static Map<String, Object> view(SandboxState.Reaction r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reactionId", r.reactionId());
        out.put("emoji", r.emoji());
        out.put("operatorId", r.operatorId());
        return out;
    }
}
