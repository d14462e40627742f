package io.convergence.designer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convergence.engine.graph.Edge;
import io.convergence.engine.graph.Point;
import io.convergence.engine.model.Pipeline;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The undo history and the commands, without FX. */
class CommandStackTest {
    private static DesignState withSteps(String... ids) {
        DesignState state = DesignState.empty("p");
        for (String id : ids) {
            state = Commands.addStep(StepFactory.create("transform", id), new Point(0, 0), null).apply(state);
        }
        return state;
    }

    @Test
    void undoAndRedoWalkTheHistoryAndNameWhatTheyDo() {
        CommandStack stack = new CommandStack(withSteps("a", "b", "c"));
        stack.push(Commands.connect("a", "b"));
        stack.push(Commands.connect("b", "c"));
        assertThat(stack.undoDescriptionProperty().get()).isEqualTo("Connect b \u2192 c");
        stack.undo();
        assertThat(stack.state().pipeline().step("c").orElseThrow().dependsOn()).isEmpty();
        assertThat(stack.redoDescriptionProperty().get()).isEqualTo("Connect b \u2192 c");
        stack.undo();
        assertThat(stack.canUndoProperty().get()).isFalse();
        stack.redo();
        stack.redo();
        assertThat(stack.state().pipeline().step("c").orElseThrow().dependsOn()).containsExactly("b");
        assertThat(stack.canRedoProperty().get()).isFalse();
    }

    @Test
    void aNewCommandClearsTheRedoBranch() {
        CommandStack stack = new CommandStack(withSteps("a", "b"));
        stack.push(Commands.connect("a", "b"));
        stack.undo();
        stack.push(Commands.move(Map.of("a", new Point(5, 5))));
        assertThat(stack.canRedoProperty().get()).isFalse();
        assertThat(stack.undoDescriptionProperty().get()).isEqualTo("Move a");
    }

    @Test
    void dirtyFollowsTheRevision() {
        CommandStack stack = new CommandStack(withSteps("a", "b"));
        assertThat(stack.dirtyProperty().get()).isFalse();
        stack.push(Commands.connect("a", "b"));
        assertThat(stack.dirtyProperty().get()).isTrue();
        stack.markSaved();
        assertThat(stack.dirtyProperty().get()).isFalse();
        stack.undo();
        assertThat(stack.dirtyProperty().get()).isTrue();
        stack.redo();
        assertThat(stack.dirtyProperty().get()).isFalse();
    }

    @Test
    void theHistoryIsBounded() {
        CommandStack stack = new CommandStack(withSteps("a"), 3);
        for (int i = 0; i < 5; i++) {
            stack.push(Commands.move(Map.of("a", new Point(i, i))));
        }
        assertThat(stack.size()).isEqualTo(3);
        stack.undo();
        stack.undo();
        stack.undo();
        assertThat(stack.canUndoProperty().get()).isFalse();
        assertThat(stack.state().positions().get("a")).isEqualTo(new Point(1, 1));
    }

    @Test
    void aRefusedCommandRecordsNothingAndSaysWhy() {
        CommandStack stack = new CommandStack(withSteps("a", "b", "c"));
        stack.push(Commands.connect("a", "b"));
        stack.push(Commands.connect("b", "c"));
        long revision = stack.revisionProperty().get();
        assertThatThrownBy(() -> stack.push(Commands.connect("c", "a")))
                .isInstanceOf(CommandRefusedException.class)
                .hasMessage("would close a cycle: a \u2192 b \u2192 c \u2192 a");
        assertThatThrownBy(() -> stack.push(Commands.connect("a", "b"))).hasMessage("b already depends on a");
        assertThatThrownBy(() -> stack.push(Commands.connect("a", "a"))).hasMessage("a step cannot depend on itself");
        assertThat(stack.revisionProperty().get()).isEqualTo(revision);
        assertThat(stack.size()).isEqualTo(2);
    }

    @Test
    void pushingFromInsideAPushIsRefused() {
        CommandStack stack = new CommandStack(withSteps("a"));
        Command nested = new Commands.Simple("outer", state -> {
            stack.push(Commands.move(Map.of("a", new Point(1, 1))));
            return state;
        });
        assertThatThrownBy(() -> stack.push(nested)).isInstanceOf(IllegalStateException.class);
        assertThat(stack.size()).isZero();
    }

    @Test
    void deleteTakesEdgesAlongAsOneCompoundCommand() {
        CommandStack stack = new CommandStack(withSteps("a", "b", "c"));
        stack.push(Commands.connect("a", "b"));
        stack.push(Commands.connect("b", "c"));
        Pipeline pipeline = stack.state().pipeline();
        stack.push(Commands.deleteSteps(pipeline, Set.of("b"), List.of()));
        assertThat(stack.undoDescriptionProperty().get()).isEqualTo("Delete b");
        assertThat(stack.state().pipeline().steps()).extracting(s -> s.id()).containsExactly("a", "c");
        assertThat(stack.state().pipeline().step("c").orElseThrow().dependsOn()).isEmpty();
        assertThat(stack.state().positions()).doesNotContainKey("b");
        stack.undo();
        assertThat(stack.state().pipeline().step("c").orElseThrow().dependsOn()).containsExactly("b");
        assertThat(stack.state().pipeline().step("b").orElseThrow().dependsOn()).containsExactly("a");
    }

    @Test
    void renameCarriesDependentsPositionAndKey() {
        CommandStack stack = new CommandStack(withSteps("a", "b"));
        stack.push(Commands.connect("a", "b"));
        String key = stack.state().keys().get("a");
        stack.push(Commands.editStep("a", stack.state().step("a").withId("source")));
        assertThat(stack.state().step("b").dependsOn()).containsExactly("source");
        assertThat(stack.state().keys()).containsEntry("source", key).doesNotContainKey("a");
        assertThat(stack.state().positions()).containsKey("source");
        assertThatThrownBy(() -> stack.push(Commands.editStep("b", stack.state().step("b").withId("source"))))
                .hasMessage("there is already a step 'source'");
        assertThatThrownBy(() -> stack.push(Commands.editStep("b", stack.state().step("b").withId("Bad-Id"))))
                .hasMessageContaining("not a valid step id");
    }

    @Test
    void pasteGivesFreshIdsAndKeepsInternalEdges() {
        CommandStack stack = new CommandStack(withSteps("x_1", "y_1"));
        stack.push(Commands.connect("x_1", "y_1"));
        DesignState state = stack.state();
        stack.push(Commands.paste(state.pipeline().steps(), state.positions(), new Point(30, 30)));
        assertThat(stack.state().pipeline().steps()).extracting(s -> s.id()).containsExactly("x_1", "y_1", "x_2", "y_2");
        assertThat(stack.state().step("y_2").dependsOn()).containsExactly("x_2");
        assertThat(stack.state().positions().get("x_2")).isEqualTo(new Point(30, 30));
    }

    @Test
    void newIdsAreUniqueAndValid() {
        DesignState state = withSteps("transform_1", "transform_3");
        assertThat(StepFactory.uniqueId(state.pipeline(), "transform")).isEqualTo("transform_2");
        assertThat(ConnectionValidator.check(state.pipeline(), "transform_1", "nope")).isPresent();
        assertThat(new Edge("a", "b").toString()).isEqualTo("a \u2192 b");
    }
}
