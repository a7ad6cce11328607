package bench;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The baseline larkway's webhook is measured against: the same path, reads the whole body, answers
 * {@code {}}; no verification, no storage. Its throughput is what Spring MVC on Tomcat costs here.
 */
@SpringBootApplication
@RestController
public class BarePostServer {
    public static void main(String[] args) {
        SpringApplication.run(BarePostServer.class, args);
    }

    @PostMapping(path = "/api/lark/webhook/{integrationId}", produces = "application/json")
    public String receive(@PathVariable String integrationId, @RequestBody byte[] body) {
        return "{}";
    }
}
