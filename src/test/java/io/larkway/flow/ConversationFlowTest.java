package io.larkway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.larkway.emulator.LarkEmulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Message in through the webhook, dispatch, window, expert, reply recorded by the emulator. */
class ConversationFlowTest extends FlowFixture {

    @Test
    void directMessageGetsExactlyOneEchoReplyWithTypingAddedThenRemoved() {
        Setup s = echo();
        String messageId = p2p(s, "ou_alice", "hello larkway");
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        LarkEmulator.Message reply = LARK.messages(s.app().appId()).get(0);
        assertThat(reply.kind()).isEqualTo("reply");
        assertThat(reply.target()).isEqualTo(messageId);
        assertThat(text(reply)).isEqualTo("hello larkway");
        assertThat(reply.uuid()).isNotBlank();
        List<LarkEmulator.Recorded> reactions = LARK.requests("POST", "/open-apis/im/v1/messages/" + messageId + "/reactions");
        assertThat(reactions).hasSize(1);
        assertThat(reactions.get(0).json().path("reaction_type").path("emoji_type").asText()).isEqualTo("Typing");
        await().atMost(Duration.ofSeconds(5)).until(() -> LARK.requests("DELETE", "/open-apis/im/v1/messages/" + messageId + "/reactions/.*").size() == 1);
        assertThat(LARK.reactions()).doesNotContainValue(messageId);
        inboxLeasesRunOut(); // answered once, also once the event's lease has run out
        assertThat(LARK.messages(s.app().appId())).hasSize(1);
    }

    @Test
    void groupMentionIsAnsweredWithoutTheBotsMentionAndUnmentionedMessagesAreDropped() {
        Setup s = echo();
        String bot = s.app().botOpenId();
        say(s, "group", "oc_team", "ou_bob", "just chatting", null);
        String asked = say(s, "group", "oc_team", "ou_bob", "@_user_1 what about @_user_2 ?", Map.of("@_user_1", bot, "@_user_2", "ou_carol"));
        await().atMost(Duration.ofSeconds(10)).until(() -> LARK.messages(s.app().appId()).size() == 1);
        LarkEmulator.Message reply = LARK.messages(s.app().appId()).get(0);
        assertThat(reply.target()).isEqualTo(asked);
        assertThat(text(reply)).isEqualTo("what about @name of ou_carol ?");
        inboxLeasesRunOut(); // answered once, also once the event's lease has run out
        assertThat(LARK.messages(s.app().appId())).hasSize(1);
    }
}
