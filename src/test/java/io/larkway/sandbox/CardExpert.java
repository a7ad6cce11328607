package io.larkway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * An http expert on a tiny local server, for card clicks: "card" gets a card with the buttons Yes and No (values
 * {@code {"choice":"yes"}} and {@code {"choice":"no"}}), a click gets "clicked " + the value's choice, anything else
 * "echo: " + the text.
 */
public final class CardExpert implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;

    private CardExpert(HttpServer server) {
        this.server = server;
    }

    public static CardExpert start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/card", exchange -> {
            byte[] answer = JSON.writeValueAsBytes(answer(JSON.readTree(exchange.getRequestBody().readAllBytes())));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        return new CardExpert(server);
    }

    /** The expert's URL, for {@code POST /api/experts} {@code {"type":"http","url":…}}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/card";
    }

    private static Map<String, Object> answer(JsonNode request) {
        if (request.hasNonNull("action")) {
            return Map.of("text", "clicked " + request.path("action").path("value").path("choice").asText());
        }
        if (request.path("text").asText().trim().equals("card")) {
            return Map.of("card", Map.of("elements", List.of(
                    Map.of("tag", "markdown", "content", "Do you like it?"),
                    Map.of("tag", "action", "actions", List.of(
                            Map.of("tag", "button", "text", Map.of("tag", "plain_text", "content", "Yes"), "value", Map.of("choice", "yes")),
                            Map.of("tag", "button", "text", Map.of("tag", "plain_text", "content", "No"), "value", Map.of("choice", "no")))))));
        }
        return Map.of("text", "echo: " + request.path("text").asText());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
