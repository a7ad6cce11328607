package bench;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;

/** A Spring Boot + Camel service that does nothing: one timer route, MVC and /actuator/health. */
@SpringBootApplication
public class BareCamelService {
    public static void main(String[] args) {
        SpringApplication.run(BareCamelService.class, args);
    }

    @Component
    static class Tick extends RouteBuilder {
        @Override
        public void configure() {
            from("timer:tick?period=60000").routeId("tick").log("tick");
        }
    }
}
