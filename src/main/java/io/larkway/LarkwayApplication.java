package io.larkway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class LarkwayApplication {
    public static void main(String[] args) {
        SpringApplication.run(LarkwayApplication.class, args);
    }
}
