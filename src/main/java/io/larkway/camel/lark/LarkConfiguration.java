package io.larkway.camel.lark;

import java.util.Set;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.spi.UriPath;

/**
 * Options of a {@code lark:} endpoint; the component's copy holds the defaults. For the producer
 * a header, when present, wins over the option of the same meaning (see {@link LarkConstants}),
 * so one endpoint can serve many integrations and chats.
 */
@UriParams
public class LarkConfiguration implements Cloneable {
    /** The receive_id_type values Lark accepts for a send. */
    public static final Set<String> RECEIVE_ID_TYPES = Set.of("chat_id", "open_id", "user_id", "union_id", "email");

    @UriPath(description = "What the endpoint does: events (consumer: the event stream of all enabled long-connection integrations),"
            + " or the operation of the producer: send, reply, patch, addReaction, removeReaction, uploadImage, createCard,"
            + " updateCardElement, updateCardSettings.",
            enums = "events,send,reply,patch,addReaction,removeReaction,uploadImage,createCard,updateCardElement,updateCardSettings")
    @Metadata(required = true)
    private String operation;

    @UriParam(label = "consumer", defaultValue = "16",
            description = "Threads that run the route for received events, shared by all connections (event loops never block).")
    private int workerPoolSize = 16;

    @UriParam(label = "consumer", defaultValue = "10000",
            description = "Events waiting for a worker before new ones are refused and acked 500 (Lark redelivers them).")
    private int workerQueueSize = 10000;

    @UriParam(label = "producer",
            description = "The integration (Lark app) that calls Lark; header CamelLarkIntegrationId wins, the header named by integrationIdHeader is the fallback.")
    private String integrationId;

    @UriParam(label = "producer,advanced",
            description = "A header of the application's to read the integration id from when neither header CamelLarkIntegrationId nor option integrationId is set (larkway: larkwayIntegrationId).")
    private String integrationIdHeader;

    @UriParam(label = "producer,advanced",
            description = "A header of the application's to read the inbound message id from when header CamelLarkMessageId is not set (larkway: larkwayMessageId); not for patch.")
    private String messageIdHeader;

    @UriParam(label = "producer", defaultValue = "chat_id", enums = "chat_id,open_id,user_id,union_id,email",
            description = "For send: what kind of id receiveId is.")
    private String receiveIdType = "chat_id";

    @UriParam(label = "producer", description = "For send: the chat or user to send to, of the kind given by receiveIdType.")
    private String receiveId;

    @UriParam(label = "producer", defaultValue = "text",
            description = "For send and reply: Lark's msg_type; text wraps a String body, any other type (post, interactive, …) sends the body as its JSON content.")
    private String msgType = "text";

    @UriParam(label = "producer", defaultValue = "false",
            description = "For reply: answer in the message's thread instead of in the chat.")
    private boolean replyInThread;

    @UriParam(label = "producer", defaultValue = "Typing",
            description = "For addReaction: the emoji_type of the reaction.")
    private String emojiType = "Typing";

    /** Rejects option values that can never work, so a bad URI fails when the endpoint is created. */
    void validate() {
        if (!RECEIVE_ID_TYPES.contains(receiveIdType)) {
            throw new IllegalArgumentException("Unknown receiveIdType '" + receiveIdType + "': use one of " + RECEIVE_ID_TYPES);
        }
    }

    public String getOperation() { return operation; }

    public void setOperation(String operation) { this.operation = operation; }

    public int getWorkerPoolSize() { return workerPoolSize; }

    public void setWorkerPoolSize(int workerPoolSize) { this.workerPoolSize = workerPoolSize; }

    public int getWorkerQueueSize() { return workerQueueSize; }

    public void setWorkerQueueSize(int workerQueueSize) { this.workerQueueSize = workerQueueSize; }

    public String getIntegrationId() { return integrationId; }

    public void setIntegrationId(String integrationId) { this.integrationId = integrationId; }

    public String getIntegrationIdHeader() { return integrationIdHeader; }

    public void setIntegrationIdHeader(String integrationIdHeader) { this.integrationIdHeader = integrationIdHeader; }

    public String getMessageIdHeader() { return messageIdHeader; }

    public void setMessageIdHeader(String messageIdHeader) { this.messageIdHeader = messageIdHeader; }

    public String getReceiveIdType() { return receiveIdType; }

    public void setReceiveIdType(String receiveIdType) { this.receiveIdType = receiveIdType; }

    public String getReceiveId() { return receiveId; }

    public void setReceiveId(String receiveId) { this.receiveId = receiveId; }

    public String getMsgType() { return msgType; }

    public void setMsgType(String msgType) { this.msgType = msgType; }

    public boolean isReplyInThread() { return replyInThread; }

    public void setReplyInThread(boolean replyInThread) { this.replyInThread = replyInThread; }

    public String getEmojiType() { return emojiType; }

    public void setEmojiType(String emojiType) { this.emojiType = emojiType; }

    public LarkConfiguration copy() {
        try {
            return (LarkConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }
}
