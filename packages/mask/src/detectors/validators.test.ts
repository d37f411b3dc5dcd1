import { describe, expect, it } from 'vitest';
import { ibanLengths, ibanValid, luhn, mod97, ssnValid } from './validators.js';

describe('luhn', () => {
  it.each([
    ['4111111111111111', true],
    ['378282246310005', true],
    ['79927398713', true],
    ['4111111111111112', false],
    ['79927398710', false],
  ])('%s → %s', (digits, valid) => {
    expect(luhn(digits)).toBe(valid);
  });

  it('refuses what is not a string of at least two digits', () => {
    expect(luhn('')).toBe(false);
    expect(luhn('0')).toBe(false);
    expect(luhn('4111 1111 1111 1111')).toBe(false);
    expect(luhn('4111-1111-1111-1111')).toBe(false);
  });

  it('accepts all zeros (the checksum alone says nothing about the issuer)', () => {
    expect(luhn('0000000000000000')).toBe(true);
  });
});

describe('ibanValid', () => {
  it.each([
    'GB29NWBK60161331926819',
    'GB29 NWBK 6016 1331 9268 19',
    'DE89370400440532013000',
    'FR1420041010050500013M02606',
    'NL91ABNA0417164300',
    'ES9121000418450200051332',
    'BE68539007547034',
    'NO9386011117947',
    'MT84MALT011000012345MTLCAST001S',
    'gb29nwbk60161331926819',
  ])('accepts %s', (iban) => {
    expect(ibanValid(iban)).toBe(true);
  });

  it.each([
    ['a bad checksum', 'GB29NWBK60161331926818'],
    ['check digits swapped', 'GB92NWBK60161331926819'],
    ['one character short for GB', 'GB29NWBK6016133192681'],
    ['one character long for DE', 'DE893704004405320130000'],
    ['a country without IBANs', 'US29NWBK60161331926819'],
    ['letters for check digits', 'GBAANWBK60161331926819'],
    ['punctuation', 'GB29-NWBK-6016-1331-9268-19'],
    ['nothing', ''],
  ])('refuses %s', (_, iban) => {
    expect(ibanValid(iban)).toBe(false);
  });

  it('knows the SEPA countries and the registry’s others', () => {
    expect(Object.keys(ibanLengths).length).toBeGreaterThanOrEqual(80);
    expect(ibanLengths.NO).toBe(15);
    expect(ibanLengths.LC).toBe(32);
    expect(ibanLengths.RU).toBe(33);
  });
});

describe('mod97', () => {
  it('is 1 for a valid IBAN and -1 for characters outside [0-9A-Z]', () => {
    expect(mod97('GB29NWBK60161331926819')).toBe(1);
    expect(mod97('GB29NWBK6016133192681a')).toBe(-1);
    expect(mod97('GB2')).toBe(-1);
  });
});

describe('ssnValid', () => {
  it('accepts an issuable number', () => {
    expect(ssnValid('123', '45', '6789')).toBe(true);
    expect(ssnValid('899', '99', '9999')).toBe(true);
    expect(ssnValid('001', '01', '0001')).toBe(true);
  });

  it.each([
    ['area 000', '000', '12', '3456'],
    ['area 666', '666', '12', '3456'],
    ['area 900', '900', '12', '3456'],
    ['area 999', '999', '12', '3456'],
    ['group 00', '123', '00', '4567'],
    ['serial 0000', '123', '45', '0000'],
    ['the Woolworth wallet card', '078', '05', '1120'],
    ['the 1962 advertisement', '219', '09', '9999'],
    ['a short area', '12', '45', '6789'],
    ['letters', '12a', '45', '6789'],
  ])('refuses %s', (_, area, group, serial) => {
    expect(ssnValid(area, group, serial)).toBe(false);
  });
});
