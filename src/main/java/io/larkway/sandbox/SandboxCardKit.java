package io.larkway.sandbox;

import static io.larkway.sandbox.LarkAnswers.answer;
import static io.larkway.sandbox.LarkAnswers.ok;
import static io.larkway.sandbox.LarkAnswers.refuse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * The sandbox's cards and images, as Lark answers them (the shapes of the emulator's {@code LarkCards} and the SDK's
 * cardkit.v1 and im.v1 models): {@code POST /open-apis/cardkit/v1/cards} ({@code {type: card_json, data}}, a card of
 * schema 2.0 with {@code body.elements}), {@code PUT …/cards/{card_id}/elements/{element_id}/content}
 * ({@code {content, sequence}}), {@code PATCH …/cards/{card_id}/settings} ({@code {settings, sequence}}; a strictly
 * increasing sequence per card, else code 300317) and {@code POST /open-apis/im/v1/images} (multipart,
 * {@code image_type=message}, at most {@link SandboxState#MAX_IMAGE_BYTES}). Every change of a card entity is
 * announced to the chat window as {@code message.updated} of the messages that show it.
 */
@Component
class SandboxCardKit {
    private final ObjectMapper json;

    SandboxCardKit(ObjectMapper json) {
        this.json = json;
    }

    /** The answer to a call of these APIs, or empty when the call is not one of them. */
    Optional<ResponseEntity<String>> handle(SandboxState state, String method, List<String> p, HttpServletRequest request, JsonNode body,
            long now) throws IOException {
        int n = p.size();
        if (method.equals("POST") && p.equals(List.of("im", "v1", "images"))) {
            return Optional.of(upload(state, request));
        }
        if (n < 3 || !p.get(0).equals("cardkit") || !p.get(1).equals("v1") || !p.get(2).equals("cards")) {
            return Optional.empty();
        }
        if (method.equals("POST") && n == 3) {
            return Optional.of(create(state, body));
        }
        Optional<SandboxState.Card> card = n >= 5 ? state.card(p.get(3)) : Optional.empty();
        boolean element = method.equals("PUT") && n == 7 && p.get(4).equals("elements") && p.get(6).equals("content");
        boolean settings = method.equals("PATCH") && n == 5 && p.get(4).equals("settings");
        if (!element && !settings) {
            return Optional.empty();
        }
        if (card.isEmpty()) {
            return Optional.of(refuse(300303, "card not found"));
        }
        if (!body.path("sequence").isInt()) {
            return Optional.of(refuse(99992402, "field validation failed: sequence"));
        }
        int sequence = body.path("sequence").asInt();
        SandboxState.CardChange done;
        if (element) {
            String elementId = p.get(5);
            String content = body.path("content").asText(null);
            if (content == null || content.length() > SandboxOpenApi.MAX_CONTENT) {
                return Optional.of(refuse(99992402, "field validation failed: content (text of at most " + SandboxOpenApi.MAX_CONTENT + " characters)"));
            }
            done = state.changeCard(card.get(), sequence, c -> {
                if (!c.path("config").path("streaming_mode").asBoolean(false)) {
                    return new SandboxState.CardChange(300309, "streaming mode is closed");
                }
                ObjectNode target = element(c, elementId);
                if (target == null) {
                    return new SandboxState.CardChange(300302, "element_id not found");
                }
                target.put("content", content);
                return new SandboxState.CardChange(0, "success");
            }, now);
        } else {
            JsonNode change;
            try {
                change = json.readTree(body.path("settings").asText("{}"));
            } catch (IOException e) {
                return Optional.of(refuse(99992402, "field validation failed: settings (a JSON object as a string)"));
            }
            if (change == null || !change.isObject()) {
                return Optional.of(refuse(99992402, "field validation failed: settings (a JSON object as a string)"));
            }
            JsonNode streaming = change.path("config").path("streaming_mode");
            done = state.changeCard(card.get(), sequence, c -> {
                if (streaming.isBoolean()) {
                    (c.get("config") instanceof ObjectNode config ? config : c.putObject("config")).put("streaming_mode", streaming.asBoolean());
                }
                return new SandboxState.CardChange(0, "success");
            }, now);
        }
        return Optional.of(done.code() == 0 ? answer(200, ok()) : refuse(done.code(), done.msg()));
    }

    private ResponseEntity<String> create(SandboxState state, JsonNode body) {
        String data = body.path("data").asText(null);
        if (!"card_json".equals(body.path("type").asText()) || !body.path("data").isTextual()) {
            return refuse(99992402, "field validation failed: type card_json and data (the card JSON as a string)");
        }
        if (data.length() > SandboxOpenApi.MAX_CONTENT) {
            return refuse(300301, "card json invalid: longer than " + SandboxOpenApi.MAX_CONTENT + " characters");
        }
        JsonNode card;
        try {
            card = json.readTree(data);
        } catch (IOException e) {
            card = null;
        }
        if (card == null || !card.isObject() || !"2.0".equals(card.path("schema").asText()) || !card.path("body").path("elements").isArray()) {
            return refuse(300301, "card json invalid: schema 2.0 with body.elements expected");
        }
        SandboxState.Card created = state.createCard((ObjectNode) card);
        ObjectNode out = ok();
        out.putObject("data").put("card_id", created.cardId);
        return answer(200, out);
    }

    /** The element of a card (schema 2.0: anywhere under body.elements, as Lark finds it by its element_id). */
    private static ObjectNode element(JsonNode node, String elementId) {
        if (node.isObject() && elementId.equals(node.path("element_id").asText(null))) {
            return (ObjectNode) node;
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                ObjectNode found = element(child, elementId);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private ResponseEntity<String> upload(SandboxState state, HttpServletRequest request) throws IOException {
        String type = request.getContentType();
        if (type == null || !type.toLowerCase().startsWith("multipart/form-data")) {
            return refuse(99992402, "field validation failed: multipart/form-data expected");
        }
        Part image;
        try {
            image = request.getPart("image");
        } catch (jakarta.servlet.ServletException | IllegalStateException e) {
            return refuse(234006, "The file size exceed the max value.");
        }
        if (!"message".equals(request.getParameter("image_type")) || image == null || image.getSize() == 0) {
            return refuse(99992402, "field validation failed: image_type must be message, image required");
        }
        if (image.getSize() > SandboxState.MAX_IMAGE_BYTES) {
            return refuse(234006, "The file size exceed the max value.");
        }
        byte[] bytes;
        try (InputStream in = image.getInputStream()) {
            bytes = in.readNBytes(SandboxState.MAX_IMAGE_BYTES + 1);
        }
        if (bytes.length > SandboxState.MAX_IMAGE_BYTES) {
            return refuse(234006, "The file size exceed the max value.");
        }
        ObjectNode out = ok();
        out.putObject("data").put("image_key", state.image(bytes).imageKey());
        return answer(200, out);
    }
}
