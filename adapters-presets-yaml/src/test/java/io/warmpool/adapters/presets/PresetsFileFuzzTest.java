package io.warmpool.adapters.presets;

import static org.assertj.core.api.Assertions.assertThat;

import io.warmpool.domain.definition.InvalidDefinitionException;
import io.warmpool.domain.definition.PresetsDocument;
import io.warmpool.domain.definition.PresetsInput;
import io.warmpool.domain.definition.PresetsValidator;
import io.warmpool.domain.definition.ValidationError;
import io.warmpool.property.Gen;
import io.warmpool.property.Property;
import io.warmpool.property.Tally;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Bad input, presets file (SPEC §7): whatever text arrives — a valid file with typos, token soup, the right keys
 * with values of the wrong kind, huge numbers, unicode, nesting deeper than any stack, alias bombs — the reader and
 * the validator either accept it or reject it with {@link InvalidDefinitionException} whose every error names its
 * place ({@code NAME} or {@code NAME:LINE}) and says what is wrong. Nothing else escapes: no other exception, no
 * {@link StackOverflowError}, no {@link OutOfMemoryError}.
 *
 * <p>Seeds are fixed so every run checks the same inputs (no unseeded randomness); change a seed to explore more.
 */
class PresetsFileFuzzTest {

    private static final String SOURCE = "fuzz.yaml";
    private static final Pattern PLACE = Pattern.compile(Pattern.quote(SOURCE) + "(:[1-9][0-9]*)?");

    @Test
    void anyTextIsAcceptedOrRejectedWithPlacedErrors_neverAnotherFailure() {
        Tally outcomes = new Tally();
        Property.forAll(8001, 500, PresetsFileFuzz.anyInput(), text -> outcomes.add(readAndValidate(text)));
        // A generator that only produced garbage (or only valid files) would prove little.
        outcomes.assertAtLeastPercent("accepted", 3).assertAtLeastPercent("rejected", 50);
    }

    @Test
    void wellFormedDocumentsWithWrongKindsOfValues() {
        Tally outcomes = new Tally();
        Property.forAll(8002, 300, PresetsFileFuzz.wrongKinds(), text -> outcomes.add(readAndValidate(text)));
        outcomes.assertAtLeastPercent("rejected", 50);
    }

    @Test
    void deepNestingAndAliasBombsAreRejectedCleanly() {
        // Every one must be rejected with a placed error (a document accepted from a bomb would be a bug), never a
        // StackOverflowError or an out-of-memory expansion.
        Property.forAll(8003, 60, Gen.oneOf(PresetsFileFuzz.deepNesting(100_000), PresetsFileFuzz.aliasBombs()),
                text -> assertThat(readAndValidate(text)).as("outcome").isEqualTo("rejected"));
    }

    /** Reads and validates; an accepted file must be a document, a rejected one must say where and why. */
    static String readAndValidate(String text) {
        PresetsDocument document;
        try {
            PresetsInput input = PresetsYaml.parse(text, SOURCE);
            document = PresetsValidator.validate(input);
        } catch (InvalidDefinitionException e) {
            assertThat(e.errors()).isNotEmpty();
            for (ValidationError error : e.errors()) {
                assertThat(error.source()).as("place of %s", error).matches(PLACE);
                assertThat(error.field()).as("field of %s", error).isNotBlank();
                assertThat(error.message()).as("message of %s", error).isNotBlank();
            }
            return "rejected";
        }
        assertThat(document.templates()).isNotEmpty();
        // What is accepted can be stored and handed to a provisioner exactly: no NUL, no unpaired surrogate.
        document.parametersById().values().forEach(parameters -> parameters.forEach((k, v) -> {
            assertThat(k).isNotBlank();
            assertThat(v).isNotNull();
            assertThat((k + v).chars()).as("parameter %s", k).doesNotContain(0);
            assertThat((k + v).codePoints().filter(cp -> cp >= 0xD800 && cp <= 0xDFFF)).as("parameter %s", k).isEmpty();
        }));
        return "accepted";
    }
}
