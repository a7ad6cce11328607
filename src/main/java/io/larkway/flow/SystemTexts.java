package io.larkway.flow;

import io.larkway.admin.Integration;
import io.larkway.admin.Integrations;
import io.larkway.platform.LarkwayProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The texts larkway writes itself (new conversation, unsupported message, expert failure), in the
 * integration's preferred language (PRODUCT.md §10): the bundle {@code texts/<language>.properties}
 * (UTF-8), overridden by {@code larkway.texts.<language>.<key>}; for {@code en} the older keys
 * {@code larkway.conversation.<key>} still override too (the {@code larkway.texts.en} key wins over them).
 * An empty text means none (the unsupported-message reply is then not sent).
 */
@Component
public class SystemTexts {
    private static final List<String> LANGUAGES = Integrations.LANGUAGES;
    public static final String NEW_CONVERSATION = "new-conversation-reply";
    public static final String UNSUPPORTED_MESSAGE = "unsupported-message-reply";
    public static final String EXPERT_FAILURE = "expert-failure-reply";
    /** The welcome for triggers without a welcomeMessage of their own (empty in the bundles: none unless configured). */
    public static final String WELCOME = "welcome-message";

    private final Integrations integrations;
    /** language (as in {@link #LANGUAGES}) → key → text. */
    private final Map<String, Map<String, String>> texts = new HashMap<>();

    public SystemTexts(Integrations integrations, LarkwayProperties props) {
        this.integrations = integrations;
        Map<String, Map<String, String>> overrides = new HashMap<>();
        if (props.texts() != null) {
            // map keys as written in application.yaml, or lower-cased (environment variables): matched ignoring case
            props.texts().forEach((language, keys) -> overrides.computeIfAbsent(language.toLowerCase(Locale.ROOT), l -> new HashMap<>())
                    .putAll(keys == null ? Map.of() : keys));
        }
        LarkwayProperties.Conversation older = props.conversation();
        Map<String, String> olderEnglish = new HashMap<>();
        putIfSet(olderEnglish, NEW_CONVERSATION, older.newConversationReply());
        putIfSet(olderEnglish, UNSUPPORTED_MESSAGE, older.unsupportedMessageReply());
        putIfSet(olderEnglish, EXPERT_FAILURE, older.expertFailureReply());
        for (String language : LANGUAGES) {
            Map<String, String> bundle = bundle(language);
            if (language.equals("en")) {
                bundle.putAll(olderEnglish);
            }
            Map<String, String> own = overrides.getOrDefault(language.toLowerCase(Locale.ROOT), Map.of());
            for (Map.Entry<String, String> o : own.entrySet()) {
                if (!bundle.containsKey(o.getKey())) {
                    throw new IllegalArgumentException("larkway.texts." + language + "." + o.getKey() + ": no such text (known: "
                            + bundle.keySet() + ")");
                }
                bundle.put(o.getKey(), o.getValue() == null ? "" : o.getValue());
            }
            texts.put(language, Map.copyOf(bundle));
        }
        overrides.keySet().stream().filter(l -> LANGUAGES.stream().noneMatch(known -> known.equalsIgnoreCase(l))).findFirst().ifPresent(l -> {
            throw new IllegalArgumentException("larkway.texts." + l + ": no such language (known: " + LANGUAGES + ")");
        });
    }

    private static void putIfSet(Map<String, String> texts, String key, String value) {
        if (value != null) {
            texts.put(key, value);
        }
    }

    private static Map<String, String> bundle(String language) {
        try (InputStream in = SystemTexts.class.getResourceAsStream("/texts/" + language + ".properties")) {
            if (in == null) {
                throw new IllegalStateException("texts/" + language + ".properties is missing");
            }
            Properties p = new Properties();
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            Map<String, String> out = new HashMap<>();
            p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text {@code key} in {@code language} (an unknown language falls back to {@code en}); empty when none is wanted. */
    public String text(String key, String language) {
        Map<String, String> own = texts.getOrDefault(language == null ? "en" : language, texts.get("en"));
        String text = own.get(key);
        if (text == null) {
            throw new IllegalArgumentException("no such text: " + key);
        }
        return text;
    }

    /** The preferred language of an integration ({@code en} when it is gone). */
    public String language(String integrationId) {
        return integrations.find(integrationId).map(Integration::preferredLanguage).orElse("en");
    }

    /**
     * The text {@code key} in the language of the exchange's integration (header {@link FlowHeaders#INTEGRATION_ID},
     * set by larkway); null when none is wanted. Routes call it as {@code reply('expert-failure-reply', ${exchange})}.
     */
    public String reply(String key, Exchange exchange) {
        String text = text(key, language(exchange.getMessage().getHeader(FlowHeaders.INTEGRATION_ID, String.class)));
        return text.isEmpty() ? null : text;
    }
}
