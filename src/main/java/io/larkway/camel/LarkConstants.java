package io.larkway.camel;

import org.apache.camel.spi.Metadata;

/** Headers the {@code lark} consumer sets on every event exchange (the body is the {@link io.larkway.lark.LarkEvent}). */
public final class LarkConstants {
    @Metadata(label = "consumer", description = "The larkway integration the event arrived for.", javaType = "String")
    public static final String INTEGRATION_ID = "larkwayIntegrationId";
    @Metadata(label = "consumer", description = "The Lark App ID of the integration.", javaType = "String")
    public static final String APP_ID = "larkwayAppId";
    @Metadata(label = "consumer", description = "The frame's message_id header (Lark's delivery id, not the chat message id).", javaType = "String")
    public static final String FRAME_MESSAGE_ID = "larkwayFrameMessageId";
    @Metadata(label = "consumer", description = "The frame's trace_id header, for correlating with Lark support.", javaType = "String")
    public static final String TRACE_ID = "larkwayTraceId";
    @Metadata(label = "consumer", description = "The data frame type: event or card.", javaType = "String")
    public static final String FRAME_TYPE = "larkwayFrameType";

    private LarkConstants() {
    }
}
