package io.larkway.camel;

import io.larkway.flow.FlowHeaders;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.platform.Breakers;
import io.larkway.platform.InstanceId;
import io.larkway.platform.LarkwayProperties;
import io.larkway.camel.lark.LarkComponent;
import io.larkway.camel.lark.client.LarkApiClient;
import io.larkway.camel.lark.client.LarkClient;
import io.larkway.camel.lark.client.SendLimiter;
import io.larkway.camel.lark.ws.ConnectionSettings;
import io.larkway.camel.lark.ws.ConnectionSupervisor;
import io.larkway.camel.lark.ws.LarkVertx;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Configures the {@code lark} component from {@code larkway.*} (the component never reads
 * larkway's properties): the Vert.x its long connections share, the Open API client, the
 * connection supervisor, and the component itself with larkway's integrations as
 * its {@link IntegrationApps app resolver}.
 */
@Configuration(proxyBeanMethods = false)
public class LarkComponentSetup {

    /** One Vert.x for every long connection: a few event-loop threads, however many integrations; made at the first connection. */
    @Bean(destroyMethod = "close")
    LarkVertx larkVertx(LarkwayProperties props) {
        return new LarkVertx(props.longConnection().eventLoopThreads());
    }

    @Bean
    LarkApiClient larkApiClient(ObjectMapper json, LarkwayProperties props, Clock clock) {
        LarkwayProperties.Lark lark = props.lark();
        return new LarkApiClient(json, Duration.ofMillis(lark.connectTimeoutMs()), Duration.ofMillis(lark.requestTimeoutMs()),
                Duration.ofSeconds(lark.tokenRefreshMarginSeconds()), clock);
    }

    @Bean
    LarkClient larkClient(LarkApiClient api, LarkwayProperties props, MeterRegistry meters, Clock clock) {
        LarkwayProperties.Reply r = props.reply();
        LarkClient client = new LarkClient(api, new LarkClient.RetryPolicy(r.maxAttempts(), r.backoffInitialMs(), r.backoffMaxMs()),
                Breakers.config(r.breakerFailureRatePercent(), r.breakerMinimumCalls(), r.breakerOpenSeconds()).clock(clock).build(), meters);
        client.setSendLimiter(new SendLimiter(r.sendRatePerChat(), r.sendRatePerApp(), clock));
        return client;
    }

    @Bean
    ConnectionSupervisor connectionSupervisor(LarkVertx larkVertx, IntegrationApps apps, LarkwayProperties props, InstanceId instanceId, Clock clock,
            ObjectMapper json, ConnectionCommands commands) {
        LarkwayProperties.LongConnectionSettings s = props.longConnection();
        ConnectionSupervisor supervisor = new ConnectionSupervisor(larkVertx, apps, new ConnectionSettings(s.connectTimeoutMs(), s.maxMessageBytes(),
                s.defaultPingIntervalSeconds(), s.defaultReconnectIntervalSeconds(), s.defaultReconnectNonceSeconds(), s.partialTtlSeconds(),
                s.honourReconnectCount(), s.probeTimeoutMs()), instanceId.toString(), clock, json);
        supervisor.setCommands(commands);
        return supervisor;
    }

    @Bean("lark")
    LarkComponent lark(ConnectionSupervisor supervisor, IntegrationApps apps, LarkClient client, LarkwayProperties props) {
        LarkComponent component = new LarkComponent();
        component.setAppResolver(apps);
        component.setClient(client);
        component.setSupervisor(supervisor);
        component.getConfiguration().setIntegrationIdHeader(FlowHeaders.INTEGRATION_ID);
        component.getConfiguration().setMessageIdHeader(FlowHeaders.MESSAGE_ID);
        component.getConfiguration().setReplyInThread(props.reply().replyInThread());
        component.getConfiguration().setEmojiType(props.reply().typingEmoji());
        component.getConfiguration().setWorkerPoolSize(props.longConnection().workerThreads());
        component.getConfiguration().setWorkerQueueSize(props.longConnection().workerQueueSize());
        return component;
    }
}
