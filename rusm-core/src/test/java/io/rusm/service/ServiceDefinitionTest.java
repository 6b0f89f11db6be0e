package io.rusm.service;

import io.rusm.Down;
import io.rusm.ResidentService;
import io.rusm.ServiceDefinition;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which methods of a service class are handlers, and what its component name is. */
class ServiceDefinitionTest {

    @Test
    void name_comes_from_the_annotation_or_the_decapitalized_simple_name() {
        assertThat(ServiceDefinition.of(Counter.class).name()).isEqualTo("counter");
        assertThat(ServiceDefinition.of(OrderBook.class).name()).isEqualTo("orderBook");
        assertThat(ServiceDefinition.of(URLCache.class).name()).isEqualTo("URLCache");
        assertThat(ServiceDefinition.of(Named.class).name()).isEqualTo("explicit");
        assertThat(ServiceDefinition.of("other", Counter.class).name()).isEqualTo("other");
    }

    @Test
    void a_definition_is_built_once_per_class_and_shares_its_handler_table() {
        ServiceDefinition a = ServiceDefinition.of(Counter.class);
        assertThat(ServiceDefinition.of(Counter.class)).isSameAs(a);
        assertThat(ServiceDefinition.of("counter", Counter.class)).isSameAs(a);
        ServiceDefinition renamed = ServiceDefinition.of("other", Counter.class);
        assertThat(renamed.handlerTable()).isSameAs(a.handlerTable());
        assertThat(renamed).isNotEqualTo(a);
        assertThat(a).hasToString("ServiceDefinition[counter: io.rusm.service.Counter, 7 handlers]");
    }

    @Test
    void handlers_are_public_instance_methods_except_Object_methods_lifecycle_methods_and_hooks() {
        assertThat(ServiceDefinition.of(OrderBook.class).handlerSignatures()).containsExactly(
                "void cancel(long)", "void fromInterface()", "long place(String, long)", "List size()");
    }

    @Test
    void Down_hook_is_found_by_its_parameter_type() {
        assertThat(ServiceDefinition.of(OrderBook.class).handlerTable().onDown().name()).isEqualTo("whenSomethingEnds");
        assertThat(ServiceDefinition.of(Counter.class).handlerTable().onDown()).isNull();
    }

    // ---- fixtures ------------------------------------------------------------------------------

    interface Described {
        default void fromInterface() {}
    }

    static class Base {
        public void cancel(long id) {}

        protected void notAHandler() {}
    }

    public static class OrderBook extends Base implements Described {
        public long place(String symbol, long quantity) {
            return 0;
        }

        public List<String> size() {
            return List.of();
        }

        public static void staticMethod() {}

        void packagePrivate() {}

        private void secret() {}

        @PostConstruct
        public void start() {}

        @PreDestroy
        public void stop() {}

        public void whenSomethingEnds(Down down) {}

        @Override
        public boolean equals(Object o) {
            return super.equals(o);
        }

        @Override
        public int hashCode() {
            return 1;
        }

        @Override
        public String toString() {
            return "OrderBook";
        }
    }

    public static class URLCache {}

    @ResidentService("explicit")
    public static class Named {}
}
