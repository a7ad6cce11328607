package io.larkway.camel;

import io.larkway.LarkwayProperties;
import io.larkway.integration.Integrations;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The {@code lark} component and the Vert.x instance its long connections share. */
@Configuration(proxyBeanMethods = false)
public class LarkComponentConfiguration {

    /** One Vert.x for every long connection: a few event-loop threads, however many integrations. */
    @Bean(destroyMethod = "close")
    Vertx larkVertx(LarkwayProperties props) {
        return vertx(props.longConnection().eventLoopThreads());
    }

    static Vertx vertx(int eventLoopThreads) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoopThreads).setWorkerPoolSize(4));
        // Vert.x 4.5 (up to at least 4.5.22) cancels a WebSocket's handshake-timeout timer after the
        // handshake only when the timer's id is > 0 (eclipse-vertx/vert.x#5583): the socket that gets
        // timer id 0, the first timer of the instance, is closed a connect timeout after connecting.
        // Timer ids count up from 0 per instance, so taking id 0 here keeps it from any socket.
        vertx.cancelTimer(vertx.setTimer(1, id -> { }));
        return vertx;
    }

    @Bean("lark")
    LarkComponent lark(ConnectionSupervisor supervisor, Integrations integrations, LarkCalls calls, LarkwayProperties props) {
        LarkComponent component = new LarkComponent(supervisor, integrations, calls);
        component.getConfiguration().setReplyInThread(props.reply().replyInThread());
        component.getConfiguration().setEmojiType(props.reply().typingEmoji());
        component.getConfiguration().setWorkerPoolSize(props.longConnection().workerThreads());
        component.getConfiguration().setWorkerQueueSize(props.longConnection().workerQueueSize());
        return component;
    }
}
