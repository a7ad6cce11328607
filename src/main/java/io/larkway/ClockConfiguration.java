package io.larkway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.larkway.camel.lark.client.LarkApiClient;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the plain protocol classes of {@code io.larkway.lark} into Spring. */
@Configuration(proxyBeanMethods = false)
public class ClockConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    LarkApiClient larkApiClient(ObjectMapper json, LarkwayProperties props, Clock clock) {
        LarkwayProperties.Lark lark = props.lark();
        return new LarkApiClient(json, Duration.ofMillis(lark.connectTimeoutMs()), Duration.ofMillis(lark.requestTimeoutMs()),
                Duration.ofSeconds(lark.tokenRefreshMarginSeconds()), clock);
    }
}
