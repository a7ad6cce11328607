package io.larkway.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The emulator's images and cards, as Lark answers them (shapes cross-checked with the SDK's
 * im.v1 CreateImageReqBody/RespBody and cardkit.v1 CreateCardReqBody, ContentCardElementReqBody,
 * SettingsCardReqBody): {@code POST /open-apis/im/v1/images} (multipart, image_type=message),
 * CardKit card entities ({@code POST /open-apis/cardkit/v1/cards}, element content with a strictly
 * increasing {@code sequence}, settings), and the check Lark makes of an interactive message's card
 * (code 230099 when it cannot be rendered). Installed with {@link #on(LarkEmulator)}; also hosts
 * test images under {@code /files/…} (an image server beside Lark, for answers that show images).
 */
public final class LarkCards implements LarkEmulator.Extension {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<LarkEmulator, LarkCards> INSTALLED = new ConcurrentHashMap<>();
    private static final Pattern ELEMENT = Pattern.compile("/open-apis/cardkit/v1/cards/([^/]+)/elements/([^/]+)/content");
    private static final Pattern SETTINGS = Pattern.compile("/open-apis/cardkit/v1/cards/([^/]+)/settings");
    private static final Pattern REPLY = Pattern.compile("/open-apis/im/v1/messages/[^/]+/reply");
    static final int INVALID_CARD = 230099;

    /** A card entity: its JSON as created, the content of each element as last set, every sequence and streaming mode change, in order. */
    public record CardEntity(String appId, String cardId, JsonNode created, Map<String, String> contents, List<Integer> sequences,
            List<Boolean> streamingModes) {
        public boolean streaming() {
            return streamingModes.get(streamingModes.size() - 1);
        }
    }

    /** An uploaded image. */
    public record Image(String appId, String imageKey, byte[] bytes) {
    }

    private final LarkEmulator lark;
    private final Map<String, CardEntity> cards = new ConcurrentHashMap<>();
    private final Map<String, Image> images = new ConcurrentHashMap<>();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Set<String> cardKitRefused = ConcurrentHashMap.newKeySet();
    private final AtomicInteger ids = new AtomicInteger(7_355_372);

    private LarkCards(LarkEmulator lark) {
        this.lark = lark;
    }

    public static LarkCards on(LarkEmulator lark) {
        return INSTALLED.computeIfAbsent(lark, l -> {
            LarkCards cards = new LarkCards(l);
            l.addExtension(cards);
            return cards;
        });
    }

    /** This app's tenant has no CardKit: every CardKit call answers Lark's permission error. */
    public void refuseCardKit(String appId) { cardKitRefused.add(appId); }

    public List<CardEntity> cards(String appId) {
        return cards.values().stream().filter(c -> c.appId().equals(appId)).toList();
    }

    public CardEntity card(String cardId) { return cards.get(cardId); }

    public List<Image> images(String appId) {
        return images.values().stream().filter(i -> i.appId().equals(appId)).toList();
    }

    /** Serves {@code bytes} at the answered URL (on the emulator's loopback address). */
    public String host(String name, byte[] bytes) {
        files.put(name, bytes);
        return lark.baseUrl() + "/files/" + name;
    }

    @Override
    public boolean handle(HttpServerRequest req, Buffer body) {
        String path = req.path();
        String method = req.method().name();
        if (method.equals("GET") && path.startsWith("/files/")) {
            byte[] file = files.get(path.substring("/files/".length()));
            if (file == null) {
                req.response().setStatusCode(404).end();
            } else {
                req.response().putHeader("Content-Type", "image/png").end(Buffer.buffer(file));
            }
            return true;
        }
        boolean images = method.equals("POST") && path.equals("/open-apis/im/v1/images");
        boolean cardKit = path.startsWith("/open-apis/cardkit/v1/cards");
        boolean message = method.equals("POST") && (path.equals("/open-apis/im/v1/messages") || REPLY.matcher(path).matches());
        if (!images && !cardKit && !message) {
            return false;
        }
        LarkEmulator.App app = lark.authorised(req);
        if (app == null) {
            return false; // the emulator answers the invalid token
        }
        try {
            if (images) {
                upload(req, body, app);
                return true;
            }
            if (cardKit) {
                cardKit(req, method, path, JSON.readTree(body.getBytes()), app);
                return true;
            }
            JsonNode in = JSON.readTree(body.getBytes());
            if (!"interactive".equals(in.path("msg_type").asText())) {
                return false;
            }
            String problem = cardProblem(JSON.readTree(in.path("content").asText()), app);
            if (problem == null) {
                return false; // a card Lark renders: sent as any message
            }
            error(req, 400, INVALID_CARD, "Failed to create card content, ext=ErrCode: 200621; ErrMsg: " + problem);
            return true;
        } catch (Exception e) {
            error(req, 400, 9499, "bad request: " + e.getMessage());
            return true;
        }
    }

    /** Why Lark would not render this card, or null: a card entity of this app, or a card JSON whose elements all have a tag (images: keys of this app). */
    private String cardProblem(JsonNode card, LarkEmulator.App app) {
        if (card == null || !card.isObject()) {
            return "card content is not a JSON object";
        }
        if ("card".equals(card.path("type").asText())) {
            CardEntity entity = cards.get(card.path("data").path("card_id").asText());
            return entity != null && entity.appId().equals(app.appId()) ? null : "card_id not found";
        }
        JsonNode elements = card.has("body") ? card.path("body").path("elements") : card.path("elements");
        if (!elements.isArray() || elements.isEmpty()) {
            return "card has no elements";
        }
        for (JsonNode e : elements) {
            if (!e.path("tag").isTextual()) {
                return "element without a tag";
            }
            if (e.path("tag").asText().equals("img")) {
                Image image = this.images.get(e.path("img_key").asText());
                if (image == null || !image.appId().equals(app.appId())) {
                    return "image key not found: " + e.path("img_key").asText();
                }
            }
        }
        return null;
    }

    private void upload(HttpServerRequest req, Buffer body, LarkEmulator.App app) {
        String type = req.getHeader("Content-Type");
        Matcher boundary = type == null ? null : Pattern.compile("boundary=\"?([^\";]+)").matcher(type);
        if (boundary == null || !type.startsWith("multipart/form-data") || !boundary.find()) {
            error(req, 400, 99992402, "field validation failed: multipart/form-data expected");
            return;
        }
        Map<String, byte[]> parts = multipart(body.getBytes(), boundary.group(1));
        byte[] image = parts.get("image");
        if (!"message".equals(parts.containsKey("image_type") ? new String(parts.get("image_type"), StandardCharsets.UTF_8) : null)
                || image == null || image.length == 0) {
            error(req, 400, 99992402, "field validation failed: image_type must be message, image required");
            return;
        }
        if (image.length > 10 * 1024 * 1024) {
            error(req, 400, 234006, "The file size exceed the max value.");
            return;
        }
        String key = "img_v3_" + ids.incrementAndGet();
        images.put(key, new Image(app.appId(), key, image));
        ObjectNode out = ok();
        out.putObject("data").put("image_key", key);
        reply(req, 200, out);
    }

    /** The parts of a multipart body by name (bytes kept as they are). */
    static Map<String, byte[]> multipart(byte[] body, String boundary) {
        String all = new String(body, StandardCharsets.ISO_8859_1);
        Map<String, byte[]> parts = new ConcurrentHashMap<>();
        for (String part : all.split("--" + Pattern.quote(boundary))) {
            int headersEnd = part.indexOf("\r\n\r\n");
            if (headersEnd < 0) {
                continue;
            }
            Matcher name = Pattern.compile("name=\"([^\"]*)\"").matcher(part.substring(0, headersEnd));
            if (!name.find()) {
                continue;
            }
            String value = part.substring(headersEnd + 4);
            if (value.endsWith("\r\n")) {
                value = value.substring(0, value.length() - 2);
            }
            parts.put(name.group(1), value.getBytes(StandardCharsets.ISO_8859_1));
        }
        return parts;
    }

    private void cardKit(HttpServerRequest req, String method, String path, JsonNode in, LarkEmulator.App app) throws Exception {
        if (cardKitRefused.contains(app.appId())) {
            error(req, 400, 99991672, "Access denied. One of the following scopes is required: [cardkit:card:write].");
            return;
        }
        Matcher m;
        if (method.equals("POST") && path.equals("/open-apis/cardkit/v1/cards")) {
            if (!"card_json".equals(in.path("type").asText()) || !in.path("data").isTextual()) {
                error(req, 400, 99992402, "field validation failed: type card_json and data (the card JSON as a string)");
                return;
            }
            JsonNode card = JSON.readTree(in.path("data").asText());
            if (card == null || !card.isObject() || !"2.0".equals(card.path("schema").asText()) || !card.path("body").path("elements").isArray()) {
                error(req, 400, 300301, "card json invalid: schema 2.0 with body.elements expected");
                return;
            }
            Map<String, String> contents = new ConcurrentHashMap<>();
            for (JsonNode e : card.path("body").path("elements")) {
                if (e.has("element_id")) {
                    contents.put(e.path("element_id").asText(), e.path("content").asText(""));
                }
            }
            String cardId = String.valueOf(ids.incrementAndGet());
            List<Boolean> modes = new CopyOnWriteArrayList<>();
            modes.add(card.path("config").path("streaming_mode").asBoolean(false));
            cards.put(cardId, new CardEntity(app.appId(), cardId, card, contents, new CopyOnWriteArrayList<>(), modes));
            ObjectNode out = ok();
            out.putObject("data").put("card_id", cardId);
            reply(req, 200, out);
        } else if (method.equals("PUT") && (m = ELEMENT.matcher(path)).matches()) {
            CardEntity card = owned(req, m.group(1), app);
            if (card == null || !sequenced(req, card, in)) {
                return;
            }
            if (!card.contents().containsKey(m.group(2))) {
                error(req, 400, 300302, "element_id not found");
                return;
            }
            if (!card.streaming()) {
                error(req, 400, 300309, "streaming mode is closed");
                return;
            }
            card.contents().put(m.group(2), in.path("content").asText());
            card.sequences().add(in.path("sequence").asInt());
            reply(req, 200, ok());
        } else if (method.equals("PATCH") && (m = SETTINGS.matcher(path)).matches()) {
            CardEntity card = owned(req, m.group(1), app);
            if (card == null || !sequenced(req, card, in)) {
                return;
            }
            JsonNode settings = JSON.readTree(in.path("settings").asText("{}"));
            if (settings.path("config").has("streaming_mode")) {
                card.streamingModes().add(settings.path("config").path("streaming_mode").asBoolean());
            }
            card.sequences().add(in.path("sequence").asInt());
            reply(req, 200, ok());
        } else {
            error(req, 404, 404, "404 page not found");
        }
    }

    private CardEntity owned(HttpServerRequest req, String cardId, LarkEmulator.App app) {
        CardEntity card = cards.get(cardId);
        if (card == null || !card.appId().equals(app.appId())) {
            error(req, 400, 300303, "card not found");
            return null;
        }
        return card;
    }

    /** Lark applies an operation only with a sequence above every earlier one of the card. */
    private static boolean sequenced(HttpServerRequest req, CardEntity card, JsonNode in) {
        if (!in.path("sequence").isInt()) {
            error(req, 400, 99992402, "field validation failed: sequence");
            return false;
        }
        List<Integer> seen = card.sequences();
        if (!seen.isEmpty() && in.path("sequence").asInt() <= seen.get(seen.size() - 1)) {
            error(req, 400, 300317, "sequence number compare failed");
            return false;
        }
        return true;
    }

    private static ObjectNode ok() {
        return JSON.createObjectNode().put("code", 0).put("msg", "success");
    }

    static void error(HttpServerRequest req, int status, int code, String msg) {
        reply(req, status, JSON.createObjectNode().put("code", code).put("msg", msg));
    }

    private static void reply(HttpServerRequest req, int status, JsonNode body) {
        req.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8").end(body.toString());
    }
}
