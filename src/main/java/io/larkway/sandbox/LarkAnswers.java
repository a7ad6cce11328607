package io.larkway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** Answers of the sandbox's Open API, shaped as Lark's ({@code {code, msg, data}}). */
final class LarkAnswers {
    private LarkAnswers() {
    }

    static ObjectNode ok() {
        return JsonNodeFactory.instance.objectNode().put("code", 0).put("msg", "success");
    }

    static ObjectNode error(int code, String msg) {
        return JsonNodeFactory.instance.objectNode().put("code", code).put("msg", msg);
    }

    static ResponseEntity<String> answer(int status, JsonNode body) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body.toString());
    }

    static ResponseEntity<String> refuse(int code, String msg) {
        return answer(400, error(code, msg));
    }
}
