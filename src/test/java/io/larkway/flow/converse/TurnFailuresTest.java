package io.larkway.flow.converse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.larkway.LarkwayTest;
import io.larkway.flow.FlowHeaders;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * An expert call that breaks off while the instance stops has not failed: the turn is left (no apology, no end of the
 * turn), so that it runs again elsewhere once its lease runs out (MultiInstanceTest.aTurnWhoseInstanceDiesIsRunAgainByTheOther
 * once saw the apology go out before the other instance's answer). A failure while running is a failure.
 */
class TurnFailuresTest extends LarkwayTest {
    @Autowired
    TurnFailures failures;
    @Autowired
    CamelContext camel;

    @Test
    void aTurnBrokenOffWhileItsInstanceStopsIsLeftAndOneThatFailsWhileRunningIsAFailure() throws Exception {
        Exchange running = new DefaultExchange(camel);
        running.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("the expert broke off"));
        running.getMessage().setHeader(FlowHeaders.INTEGRATION_ID, "int-turn-failures");
        failures.failed(running);
        assertThat(running.getProperty(FlowHeaders.TURN_LEFT)).isNull();

        CamelContext stopping = new DefaultCamelContext();
        stopping.getShutdownStrategy().setTimeout(10);
        CountDownLatch inFlight = new CountDownLatch(1);
        AtomicReference<Object> left = new AtomicReference<>();
        stopping.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("seda:turn").process(e -> {
                    inFlight.countDown();
                    await().atMost(Duration.ofSeconds(10)).until(stopping::isStopping);
                    e.setProperty(Exchange.EXCEPTION_CAUGHT, new IllegalStateException("the expert broke off"));
                    failures.failed(e);
                    left.set(e.getProperty(FlowHeaders.TURN_LEFT));
                });
            }
        });
        stopping.start();
        stopping.createProducerTemplate().sendBody("seda:turn", "who takes over?");
        assertThat(inFlight.await(10, TimeUnit.SECONDS)).isTrue();
        stopping.stop(); // graceful: waits for the turn in flight, which sees the context stopping
        assertThat(left.get()).isEqualTo(true);
    }
}
