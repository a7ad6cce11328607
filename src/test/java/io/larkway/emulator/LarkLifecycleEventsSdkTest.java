package io.larkway.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.lark.oapi.core.utils.Jsons;
import com.lark.oapi.service.im.v1.model.P2ChatMemberBotAddedV1;
import com.lark.oapi.service.im.v1.model.P2ChatMemberBotDeletedV1;
import com.lark.oapi.service.im.v1.model.P2MessageRecalledV1;
import org.junit.jupiter.api.Test;

/** The emulator's lifecycle events read as the official SDK's models read them. */
class LarkLifecycleEventsSdkTest {
    @Test
    void shapesMatchTheSdk() {
        P2ChatMemberBotAddedV1 added = Jsons.DEFAULT.fromJson(LarkLifecycleEvents.botAdded("cli_1", "vt", "oc_1", "ou_op").toString(),
                P2ChatMemberBotAddedV1.class);
        assertThat(added.getHeader().getEventType()).isEqualTo("im.chat.member.bot.added_v1");
        assertThat(added.getEvent().getChatId()).isEqualTo("oc_1");
        assertThat(added.getEvent().getOperatorId().getOpenId()).isEqualTo("ou_op");
        assertThat(added.getEvent().getI18nNames().getEnUs()).isEqualTo("Group oc_1");
        P2ChatMemberBotDeletedV1 deleted = Jsons.DEFAULT.fromJson(LarkLifecycleEvents.botDeleted("cli_1", "vt", "oc_2", "ou_op").toString(),
                P2ChatMemberBotDeletedV1.class);
        assertThat(deleted.getHeader().getEventType()).isEqualTo("im.chat.member.bot.deleted_v1");
        assertThat(deleted.getEvent().getChatId()).isEqualTo("oc_2");
        P2MessageRecalledV1 recalled = Jsons.DEFAULT.fromJson(LarkLifecycleEvents.recalled("cli_1", "vt", "oc_3", "om_9").toString(),
                P2MessageRecalledV1.class);
        assertThat(recalled.getEvent().getMessageId()).isEqualTo("om_9");
        assertThat(recalled.getEvent().getChatId()).isEqualTo("oc_3");
        assertThat(recalled.getEvent().getRecallType()).isEqualTo("message_owner");
    }
}
