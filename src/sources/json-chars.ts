/**
 * The UTF-16 code units of JSON's structural characters and whitespace, for the scanners that find
 * values in JSON text without parsing it (`ListBodyDecoder`, `omitMember`).
 *
 * @internal
 * @module
 */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const SPACE = 0x20;
export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
