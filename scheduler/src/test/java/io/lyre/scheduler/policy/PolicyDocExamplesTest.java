package io.lyre.scheduler.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every ```json block of docs/placement-policies.md is a valid policy for the scheduler's own parser. */
class PolicyDocExamplesTest {

    @Test
    void everyExampleInTheDocParses() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "placement-policies.md"));
        Matcher m = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        List<String> examples = new ArrayList<>();
        while (m.find()) {
            examples.add(m.group(1));
        }
        assertThat(examples).hasSizeGreaterThanOrEqualTo(4);
        for (String json : examples) {
            assertThatCode(() -> PolicyJson.parse(json)).as(json).doesNotThrowAnyException();
        }
    }
}
