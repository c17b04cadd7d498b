import { describe, expect, it } from 'vitest';
import { matchesNoProxy, proxyFor, proxySettings, proxyUrlProblem, redactUrl } from '../../src/net/index.js';

describe('proxySettings', () => {
  it('reads both spellings, the lower-case one first, and drops empty values', () => {
    expect(
      proxySettings({ HTTPS_PROXY: 'http://a:1', https_proxy: 'http://b:1', HTTP_PROXY: 'http://c:1', NO_PROXY: '.x', no_proxy: '' }),
    ).toEqual({ httpsProxy: 'http://b:1', httpProxy: 'http://c:1', noProxy: '.x' });
    expect(proxySettings({ HTTPS_PROXY: '' })).toEqual({});
  });
});

describe('proxyFor', () => {
  const settings = { httpsProxy: 'http://secure-proxy:3128', httpProxy: 'plain-proxy:8080' };
  it('picks the proxy by the target scheme', () => {
    expect(proxyFor('https://sagemaker.eu-west-1.amazonaws.com/', settings)).toBe('http://secure-proxy:3128');
    expect(proxyFor('wss://cp.example.com/agent', settings)).toBe('http://secure-proxy:3128');
    expect(proxyFor('http://127.0.0.1:4566', settings)).toBe('http://plain-proxy:8080');
    expect(proxyFor('ws://127.0.0.1:4566', settings)).toBe('http://plain-proxy:8080');
    expect(proxyFor('https://x.example.com', { httpProxy: 'http://p:1' })).toBeUndefined();
    expect(proxyFor('http://x.example.com', { httpsProxy: 'http://p:1' })).toBeUndefined();
    expect(proxyFor('not a url', settings)).toBeUndefined();
  });

  it('does not exempt loopback targets unless NO_PROXY says so', () => {
    expect(proxyFor('http://127.0.0.1:1234', settings)).toBeDefined();
    expect(proxyFor('http://localhost:1234', settings)).toBeDefined();
    expect(proxyFor('http://127.0.0.1:1234', { ...settings, noProxy: '127.0.0.1' })).toBeUndefined();
  });
});

describe('NO_PROXY matching', () => {
  const cases: Array<[string, number, string, boolean]> = [
    ['anything.example', 443, '*', true],
    ['example.com', 443, 'example.com', true],
    ['api.example.com', 443, 'example.com', true],
    ['notexample.com', 443, 'example.com', false],
    ['api.example.com', 443, '.example.com', true],
    ['example.com', 443, '.example.com', true],
    ['deep.api.example.com', 443, '*.example.com', true],
    ['EXAMPLE.com', 443, 'example.COM', true],
    ['example.com.', 443, 'example.com', true],
    ['sagemaker.us-east-1.amazonaws.com', 443, 'internal, .amazonaws.com', true],
    ['sagemaker.us-east-1.amazonaws.com', 443, 'internal other', false],
    ['vpce.internal', 443, 'vpce.internal:443', true],
    ['vpce.internal', 8443, 'vpce.internal:443', false],
    ['127.0.0.1', 5000, '127.0.0.1', true],
    ['127.0.0.1', 5000, '127.0.0.1:5000', true],
    ['127.0.0.1', 5001, '127.0.0.1:5000', false],
    ['127.0.0.10', 5000, '127.0.0.1', false],
    ['[::1]', 80, '::1', true],
    ['[::1]', 80, '[::1]:80', true],
    ['[::1]', 81, '[::1]:80', false],
    ['example.com', 443, ',, ,', false],
    ['example.com', 443, '', false],
  ];
  it.each(cases)('%s:%i with NO_PROXY=%j → %s', (host, port, noProxy, expected) => {
    expect(matchesNoProxy(host, port, noProxy)).toBe(expected);
  });

  it('uses the default port of the scheme for host:port entries', () => {
    expect(proxyFor('https://vpce.internal/', { httpsProxy: 'http://p:1', noProxy: 'vpce.internal:443' })).toBeUndefined();
    expect(proxyFor('http://vpce.internal/', { httpProxy: 'http://p:1', noProxy: 'vpce.internal:443' })).toBe('http://p:1');
  });
});

describe('proxy URLs', () => {
  it('are checked without repeating them', () => {
    expect(proxyUrlProblem('http://u:p@proxy:3128')).toBeUndefined();
    expect(proxyUrlProblem('proxy.internal:3128')).toBeUndefined();
    expect(proxyUrlProblem('https://proxy:443')).toBeUndefined();
    expect(proxyUrlProblem('socks5://u:hunter2@p:1')).toBe('must be an http:// or https:// proxy URL');
    expect(proxyUrlProblem('http://u:hunter2@[nope')).toBe('is not a valid URL (expected http://[user:password@]host:port)');
  });

  it('are printed with their credentials masked', () => {
    expect(redactUrl('http://user:hunter2@proxy:3128')).toBe('http://***@proxy:3128/');
    expect(redactUrl('http://proxy:3128')).toBe('http://proxy:3128');
    expect(redactUrl('user:hunter2@proxy:3128')).not.toContain('hunter2');
    expect(redactUrl('http://u:hunter2@[bad')).toBe('http://***@[bad');
    expect(redactUrl('wss://cp.example:443/v1/agent?token=hunter2')).toBe('wss://cp.example/v1/agent?redacted');
  });
});
