package io.larkway.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.admin.ApiException;
import io.larkway.admin.Integration;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /api/integrations/{id}/sandbox/events?ticket=…}: the sandbox's changes as server-sent
 * events named {@code sandbox}, data {@code {type, message, reaction?}} with type
 * {@code message.created}, {@code message.updated} (a card update), {@code reaction.added} or
 * {@code reaction.removed}; a first event {@code ready} says the stream is listening. Authorised by a
 * ticket from {@code POST …/sandbox/tickets} (an EventSource sends no header); a missing, forged or
 * expired ticket, or one of another integration, is a 401. A stream ends after 30 minutes: the chat
 * window gets a new ticket and listens again.
 */
@RestController
public class SandboxEvents {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxEvents.class);
    static final long STREAM_MILLIS = 30 * 60 * 1000L;

    private final Sandboxes sandboxes;
    private final SandboxTickets tickets;
    private final ObjectMapper json;

    public SandboxEvents(Sandboxes sandboxes, SandboxTickets tickets, ObjectMapper json) {
        this.sandboxes = sandboxes;
        this.tickets = tickets;
        this.json = json;
    }

    @GetMapping("/api/integrations/{id}/sandbox/events")
    public SseEmitter events(@PathVariable String id, @RequestParam(required = false) String ticket, HttpServletResponse response)
            throws IOException {
        String orgId = tickets.orgOf(ticket, id);
        if (orgId == null) {
            LOG.info("Sandbox events refused integrationId={}: no valid ticket", ApiException.echo(id));
            refuse(response, 401, "unauthorized", "the ticket is missing, invalid or expired: get one from POST /api/integrations/{id}/sandbox/tickets");
            return null;
        }
        Optional<Integration> sandbox = sandboxes.integration(id).filter(i -> i.orgId().equals(orgId));
        if (sandbox.isEmpty()) {
            refuse(response, 404, "not_found", "no sandbox integration " + ApiException.echo(id));
            return null;
        }
        SseEmitter emitter = new SseEmitter(STREAM_MILLIS);
        sandboxes.state(sandbox.get()); // the sandbox exists from now on, so no change is missed
        sandboxes.listen(id, emitter);
        emitter.send(SseEmitter.event().name("ready").data(Map.of("integrationId", id), MediaType.APPLICATION_JSON));
        LOG.debug("Sandbox events listening integrationId={}", id);
        return emitter;
    }

    private void refuse(HttpServletResponse response, int status, String error, String message) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getOutputStream().write(json.writeValueAsBytes(Map.of("error", error, "message", message)));
    }
}
