package io.larkway.camel;

import io.larkway.camel.lark.LarkComponent;
import io.larkway.camel.lark.client.LarkClient;
import io.larkway.camel.lark.ws.ConnectionSupervisor;

import io.larkway.LarkwayProperties;
import io.larkway.integration.Integrations;
import io.vertx.core.Vertx;
import io.larkway.camel.lark.ws.LarkVertx;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The {@code lark} component and the Vert.x instance its long connections share. */
@Configuration(proxyBeanMethods = false)
public class LarkComponentSetup {

    /** One Vert.x for every long connection: a few event-loop threads, however many integrations. */
    @Bean(destroyMethod = "close")
    Vertx larkVertx(LarkwayProperties props) {
        return LarkVertx.create(props.longConnection().eventLoopThreads());
    }

    @Bean("lark")
    LarkComponent lark(ConnectionSupervisor supervisor, Integrations integrations, LarkClient calls, LarkwayProperties props) {
        LarkComponent component = new LarkComponent(supervisor, integrations, calls);
        component.getConfiguration().setReplyInThread(props.reply().replyInThread());
        component.getConfiguration().setEmojiType(props.reply().typingEmoji());
        component.getConfiguration().setWorkerPoolSize(props.longConnection().workerThreads());
        component.getConfiguration().setWorkerQueueSize(props.longConnection().workerQueueSize());
        return component;
    }
}
