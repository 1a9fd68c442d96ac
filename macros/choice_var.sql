{#- The value of a var that must be one of a few choices; a clear compile error otherwise. -#}
{% macro choice_var(name, choices) -%}
    {%- set value = var(name) -%}
    {%- if value not in choices -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be one of " ~ (choices | join(", ")) ~ "; got " ~ value) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
