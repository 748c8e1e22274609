//! storebench's Rust workload: the program `rust/compile/*` compile.
//!
//! Plain Rust, standard library only, deterministic: every part computes a
//! result from fixed inputs and prints one line, which storebench compares with
//! `expected.txt` after running what the compiler built. It is sized to give a
//! compiler real work (generics, traits, closures, iterators, pattern matching)
//! while a build at -O stays short. Arithmetic that may overflow wraps
//! explicitly, so a debug build (overflow checks on) prints the same lines.

use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet, VecDeque};
use std::cmp::{Ordering, Reverse};
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

// ---------------------------------------------------------------- random

/// xorshift64*: a small deterministic generator.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next_u64() >> 56) as u8).collect()
    }
}

// ---------------------------------------------------------------- hashes

mod sha256 {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    pub struct Sha256 {
        state: [u32; 8],
        buffer: Vec<u8>,
        length: u64,
    }

    impl Sha256 {
        pub fn new() -> Sha256 {
            Sha256 {
                state: [
                    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
                    0x1f83d9ab, 0x5be0cd19,
                ],
                buffer: Vec::with_capacity(64),
                length: 0,
            }
        }

        pub fn update(&mut self, data: &[u8]) {
            self.length = self.length.wrapping_add(data.len() as u64);
            for &b in data {
                self.buffer.push(b);
                if self.buffer.len() == 64 {
                    let block: Vec<u8> = std::mem::take(&mut self.buffer);
                    self.compress(&block);
                }
            }
        }

        fn compress(&mut self, block: &[u8]) {
            let mut w = [0u32; 64];
            for i in 0..16 {
                w[i] = u32::from_be_bytes([
                    block[4 * i],
                    block[4 * i + 1],
                    block[4 * i + 2],
                    block[4 * i + 3],
                ]);
            }
            for i in 16..64 {
                let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
                let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
                w[i] = w[i - 16]
                    .wrapping_add(s0)
                    .wrapping_add(w[i - 7])
                    .wrapping_add(s1);
            }
            let mut h = self.state;
            for i in 0..64 {
                let s1 = h[4].rotate_right(6) ^ h[4].rotate_right(11) ^ h[4].rotate_right(25);
                let ch = (h[4] & h[5]) ^ (!h[4] & h[6]);
                let t1 = h[7]
                    .wrapping_add(s1)
                    .wrapping_add(ch)
                    .wrapping_add(K[i])
                    .wrapping_add(w[i]);
                let s0 = h[0].rotate_right(2) ^ h[0].rotate_right(13) ^ h[0].rotate_right(22);
                let maj = (h[0] & h[1]) ^ (h[0] & h[2]) ^ (h[1] & h[2]);
                let t2 = s0.wrapping_add(maj);
                h[7] = h[6];
                h[6] = h[5];
                h[5] = h[4];
                h[4] = h[3].wrapping_add(t1);
                h[3] = h[2];
                h[2] = h[1];
                h[1] = h[0];
                h[0] = t1.wrapping_add(t2);
            }
            for i in 0..8 {
                self.state[i] = self.state[i].wrapping_add(h[i]);
            }
        }

        pub fn finish(mut self) -> [u8; 32] {
            let bits = self.length.wrapping_mul(8);
            self.update(&[0x80]);
            while self.buffer.len() != 56 {
                self.update(&[0]);
            }
            self.update(&bits.to_be_bytes());
            let mut out = [0u8; 32];
            for (i, word) in self.state.iter().enumerate() {
                out[4 * i..4 * i + 4].copy_from_slice(&word.to_be_bytes());
            }
            out
        }
    }

    pub fn hex(data: &[u8]) -> String {
        let mut h = Sha256::new();
        h.update(data);
        h.finish().iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
        *slot = c;
    }
    let mut crc = !0u32;
    for &b in data {
        crc = table[((crc ^ b as u32) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + x as u32) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

// ---------------------------------------------------------------- sorting

fn insertion_sort<T: PartialOrd + Copy>(v: &mut [T]) {
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

fn quick_sort<T: PartialOrd + Copy>(v: &mut [T]) {
    if v.len() <= 16 {
        insertion_sort(v);
        return;
    }
    let mid = v.len() / 2;
    let last = v.len() - 1;
    // median of three
    if v[mid] < v[0] {
        v.swap(mid, 0);
    }
    if v[last] < v[0] {
        v.swap(last, 0);
    }
    if v[last] < v[mid] {
        v.swap(last, mid);
    }
    let pivot = v[mid];
    let (mut i, mut j) = (0usize, last);
    loop {
        while v[i] < pivot {
            i += 1;
        }
        while v[j] > pivot {
            j -= 1;
        }
        if i >= j {
            break;
        }
        v.swap(i, j);
        i += 1;
        j -= 1;
    }
    let (left, right) = v.split_at_mut(j + 1);
    quick_sort(left);
    quick_sort(right);
}

fn merge_sort<T: Ord + Clone>(v: &[T]) -> Vec<T> {
    if v.len() <= 1 {
        return v.to_vec();
    }
    let (a, b) = v.split_at(v.len() / 2);
    let (a, b) = (merge_sort(a), merge_sort(b));
    let mut out = Vec::with_capacity(v.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i].clone());
            i += 1;
        } else {
            out.push(b[j].clone());
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

fn heap_sort<T: Ord + Copy>(v: &mut [T]) {
    fn sift<T: Ord + Copy>(v: &mut [T], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && v[child] < v[child + 1] {
                child += 1;
            }
            if v[root] >= v[child] {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    let n = v.len();
    for i in (0..n / 2).rev() {
        sift(v, i, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}

fn radix_sort(v: &mut Vec<u32>) {
    let mut buf = vec![0u32; v.len()];
    for shift in [0, 8, 16, 24] {
        let mut count = [0usize; 257];
        for &x in v.iter() {
            count[((x >> shift) & 0xff) as usize + 1] += 1;
        }
        for i in 0..256 {
            count[i + 1] += count[i];
        }
        for &x in v.iter() {
            let d = ((x >> shift) & 0xff) as usize;
            buf[count[d]] = x;
            count[d] += 1;
        }
        std::mem::swap(v, &mut buf);
    }
}

fn is_sorted<T: PartialOrd>(v: &[T]) -> bool {
    v.windows(2).all(|w| w[0] <= w[1])
}

fn sorting(rng: &mut Rng) -> String {
    let data: Vec<u32> = (0..20000).map(|_| rng.next_u64() as u32).collect();
    let mut a = data.clone();
    quick_sort(&mut a);
    let b = merge_sort(&data);
    let mut c = data.clone();
    heap_sort(&mut c);
    let mut d = data.clone();
    radix_sort(&mut d);
    let agree = a == b && b == c && c == d && is_sorted(&a);
    let floats: Vec<f64> = (0..2000).map(|_| rng.unit() * 1000.0 - 500.0).collect();
    let mut f = floats.clone();
    quick_sort(&mut f);
    let words: Vec<String> = (0..3000)
        .map(|i| format!("w{:x}", (i as u64).wrapping_mul(2654435761) % 100_003))
        .collect();
    let mut words = merge_sort(&words);
    words.dedup();
    let bytes: Vec<u8> = a.iter().flat_map(|x| x.to_le_bytes()).collect();
    format!(
        "sorting agree={} floats_sorted={} words={} crc={:08x} median={}",
        agree,
        is_sorted(&f),
        words.len(),
        crc32(&bytes),
        a[a.len() / 2]
    )
}

// ---------------------------------------------------------------- big integers

/// A non-negative integer in base 10^9 limbs, least significant first.
#[derive(Clone, Debug, PartialEq, Eq)]
struct BigUint {
    limbs: Vec<u32>,
}

const BASE: u64 = 1_000_000_000;

impl BigUint {
    fn from_u64(mut n: u64) -> BigUint {
        let mut limbs = Vec::new();
        while n > 0 {
            limbs.push((n % BASE) as u32);
            n /= BASE;
        }
        BigUint { limbs }
    }

    fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    fn trim(mut self) -> BigUint {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
        self
    }

    fn mul_small(&self, m: u32) -> BigUint {
        let mut carry = 0u64;
        let mut limbs = Vec::with_capacity(self.limbs.len() + 1);
        for &l in &self.limbs {
            let x = l as u64 * m as u64 + carry;
            limbs.push((x % BASE) as u32);
            carry = x / BASE;
        }
        while carry > 0 {
            limbs.push((carry % BASE) as u32);
            carry /= BASE;
        }
        BigUint { limbs }.trim()
    }

    fn divmod_small(&self, d: u32) -> (BigUint, u32) {
        let mut rem = 0u64;
        let mut limbs = vec![0u32; self.limbs.len()];
        for i in (0..self.limbs.len()).rev() {
            let cur = rem * BASE + self.limbs[i] as u64;
            limbs[i] = (cur / d as u64) as u32;
            rem = cur % d as u64;
        }
        (BigUint { limbs }.trim(), rem as u32)
    }

    fn digit_sum(&self) -> u64 {
        self.to_string().bytes().map(|b| (b - b'0') as u64).sum()
    }
}

impl Add for &BigUint {
    type Output = BigUint;
    fn add(self, other: &BigUint) -> BigUint {
        let n = self.limbs.len().max(other.limbs.len());
        let mut limbs = Vec::with_capacity(n + 1);
        let mut carry = 0u64;
        for i in 0..n {
            let a = *self.limbs.get(i).unwrap_or(&0) as u64;
            let b = *other.limbs.get(i).unwrap_or(&0) as u64;
            let s = a + b + carry;
            limbs.push((s % BASE) as u32);
            carry = s / BASE;
        }
        if carry > 0 {
            limbs.push(carry as u32);
        }
        BigUint { limbs }
    }
}

impl Mul for &BigUint {
    type Output = BigUint;
    fn mul(self, other: &BigUint) -> BigUint {
        if self.is_zero() || other.is_zero() {
            return BigUint { limbs: vec![] };
        }
        let mut acc = vec![0u64; self.limbs.len() + other.limbs.len() + 1];
        for (i, &a) in self.limbs.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in other.limbs.iter().enumerate() {
                let cur = acc[i + j] + a as u64 * b as u64 + carry;
                acc[i + j] = cur % BASE;
                carry = cur / BASE;
            }
            let mut k = i + other.limbs.len();
            while carry > 0 {
                let cur = acc[k] + carry;
                acc[k] = cur % BASE;
                carry = cur / BASE;
                k += 1;
            }
        }
        BigUint {
            limbs: acc.into_iter().map(|x| x as u32).collect(),
        }
        .trim()
    }
}

impl fmt::Display for BigUint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.limbs.last() {
            None => write!(f, "0"),
            Some(top) => {
                write!(f, "{top}")?;
                for l in self.limbs.iter().rev().skip(1) {
                    write!(f, "{l:09}")?;
                }
                Ok(())
            }
        }
    }
}

fn factorial(n: u32) -> BigUint {
    (2..=n).fold(BigUint::from_u64(1), |acc, k| acc.mul_small(k))
}

fn fibonacci(n: usize) -> BigUint {
    let (mut a, mut b) = (BigUint::from_u64(0), BigUint::from_u64(1));
    for _ in 0..n {
        let c = &a + &b;
        a = b;
        b = c;
    }
    a
}

fn big_power(base: u64, exp: u32) -> BigUint {
    let mut result = BigUint::from_u64(1);
    let mut b = BigUint::from_u64(base);
    let mut e = exp;
    while e > 0 {
        if e & 1 == 1 {
            result = &result * &b;
        }
        b = &b * &b;
        e >>= 1;
    }
    result
}

fn bigints() -> String {
    let f = factorial(300);
    let fib = fibonacci(1000);
    let p = big_power(3, 500);
    let (q, r) = p.divmod_small(1_000_003);
    let back = &q.mul_small(1_000_003) + &BigUint::from_u64(r as u64);
    format!(
        "bigint fact300_digits={} fact300_sum={} fib1000_tail={} pow_digits={} divmod_ok={}",
        f.to_string().len(),
        f.digit_sum(),
        &fib.to_string()[fib.to_string().len() - 12..],
        p.to_string().len(),
        back == p
    )
}

// ---------------------------------------------------------------- rationals

fn gcd(a: i64, b: i64) -> i64 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ratio {
    num: i64,
    den: i64,
}

impl Ratio {
    fn new(num: i64, den: i64) -> Ratio {
        assert!(den != 0, "zero denominator");
        let g = gcd(num, den).max(1);
        let sign = if den < 0 { -1 } else { 1 };
        Ratio {
            num: sign * num / g,
            den: sign * den / g,
        }
    }
    fn int(n: i64) -> Ratio {
        Ratio::new(n, 1)
    }
    fn is_zero(self) -> bool {
        self.num == 0
    }
}

impl Add for Ratio {
    type Output = Ratio;
    fn add(self, o: Ratio) -> Ratio {
        Ratio::new(self.num * o.den + o.num * self.den, self.den * o.den)
    }
}
impl Sub for Ratio {
    type Output = Ratio;
    fn sub(self, o: Ratio) -> Ratio {
        self + (-o)
    }
}
impl Neg for Ratio {
    type Output = Ratio;
    fn neg(self) -> Ratio {
        Ratio::new(-self.num, self.den)
    }
}
impl Mul for Ratio {
    type Output = Ratio;
    fn mul(self, o: Ratio) -> Ratio {
        Ratio::new(self.num * o.num, self.den * o.den)
    }
}
impl Div for Ratio {
    type Output = Ratio;
    fn div(self, o: Ratio) -> Ratio {
        Ratio::new(self.num * o.den, self.den * o.num)
    }
}
impl PartialOrd for Ratio {
    fn partial_cmp(&self, o: &Ratio) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ratio {
    fn cmp(&self, o: &Ratio) -> Ordering {
        (self.num as i128 * o.den as i128).cmp(&(o.num as i128 * self.den as i128))
    }
}
impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

/// Solves a square system exactly by Gauss-Jordan elimination.
fn solve_exact(mut m: Vec<Vec<Ratio>>) -> Option<Vec<Ratio>> {
    let n = m.len();
    for col in 0..n {
        let pivot = (col..n).find(|&r| !m[r][col].is_zero())?;
        m.swap(col, pivot);
        let p = m[col][col];
        for x in m[col].iter_mut() {
            *x = *x / p;
        }
        for r in 0..n {
            if r != col && !m[r][col].is_zero() {
                let factor = m[r][col];
                let pivot_row = m[col].clone();
                for (x, y) in m[r].iter_mut().zip(pivot_row) {
                    *x = *x - factor * y;
                }
            }
        }
    }
    Some(m.into_iter().map(|row| row[n]).collect())
}

fn rationals() -> String {
    // Hilbert-like system with a known solution of 1..=n.
    let n = 6;
    let want: Vec<Ratio> = (1..=n as i64).map(Ratio::int).collect();
    let mut rows = Vec::new();
    for i in 0..n {
        let mut row: Vec<Ratio> = (0..n).map(|j| Ratio::new(1, (i + j + 1) as i64)).collect();
        let rhs = row
            .iter()
            .zip(&want)
            .fold(Ratio::int(0), |acc, (&a, &x)| acc + a * x);
        row.push(rhs);
        rows.push(row);
    }
    let got = solve_exact(rows).expect("regular system");
    let harmonic = (1..=20).fold(Ratio::int(0), |acc, k| acc + Ratio::new(1, k));
    let mut egypt = Vec::new();
    let mut rest = Ratio::new(7, 15);
    while !rest.is_zero() {
        let d = (rest.den + rest.num - 1) / rest.num;
        egypt.push(d);
        rest = rest - Ratio::new(1, d);
    }
    let sorted: Vec<Ratio> = (1..30).map(|k| Ratio::new((k * 7) % 11, k)).collect();
    let sorted = merge_sort(&sorted);
    format!(
        "rational solved={} h20={} egypt={:?} min={} max={}",
        got == want,
        harmonic,
        egypt,
        sorted[0],
        sorted[sorted.len() - 1]
    )
}

// ---------------------------------------------------------------- expressions

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Num(f64),
    Ident(String),
    Op(char),
    LParen,
    RParen,
    Comma,
}

fn tokenize(src: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' => i += 1,
            '0'..='9' | '.' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                out.push(Token::Num(text.parse().map_err(|_| format!("bad number {text}"))?));
            }
            'a'..='z' | 'A'..='Z' | '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Token::Ident(chars[start..i].iter().collect()));
            }
            '+' | '-' | '*' | '/' | '^' | '%' => {
                out.push(Token::Op(c));
                i += 1;
            }
            '(' => {
                out.push(Token::LParen);
                i += 1;
            }
            ')' => {
                out.push(Token::RParen);
                i += 1;
            }
            ',' => {
                out.push(Token::Comma);
                i += 1;
            }
            other => return Err(format!("unexpected {other:?}")),
        }
    }
    Ok(out)
}

#[derive(Clone, Debug)]
enum Expr {
    Num(f64),
    Var(String),
    Neg(Box<Expr>),
    Bin(char, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn expect(&mut self, want: Token) -> Result<(), String> {
        match self.next() {
            Some(t) if t == want => Ok(()),
            other => Err(format!("expected {want:?}, got {other:?}")),
        }
    }
    fn precedence(op: char) -> u8 {
        match op {
            '+' | '-' => 1,
            '*' | '/' | '%' => 2,
            '^' => 3,
            _ => 0,
        }
    }
    fn expr(&mut self, min: u8) -> Result<Expr, String> {
        let mut lhs = self.unary()?;
        while let Some(Token::Op(op)) = self.peek().cloned() {
            let prec = Parser::precedence(op);
            if prec < min {
                break;
            }
            self.pos += 1;
            let next_min = if op == '^' { prec } else { prec + 1 };
            let rhs = self.expr(next_min)?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }
    fn unary(&mut self) -> Result<Expr, String> {
        if let Some(Token::Op('-')) = self.peek() {
            self.pos += 1;
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.atom()
    }
    fn atom(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Token::Num(n)) => Ok(Expr::Num(n)),
            Some(Token::Ident(name)) => {
                if let Some(Token::LParen) = self.peek() {
                    self.pos += 1;
                    let mut args = Vec::new();
                    if let Some(Token::RParen) = self.peek() {
                        self.pos += 1;
                        return Ok(Expr::Call(name, args));
                    }
                    loop {
                        args.push(self.expr(1)?);
                        match self.next() {
                            Some(Token::Comma) => continue,
                            Some(Token::RParen) => break,
                            other => return Err(format!("bad argument list at {other:?}")),
                        }
                    }
                    Ok(Expr::Call(name, args))
                } else {
                    Ok(Expr::Var(name))
                }
            }
            Some(Token::LParen) => {
                let e = self.expr(1)?;
                self.expect(Token::RParen)?;
                Ok(e)
            }
            other => Err(format!("unexpected token {other:?}")),
        }
    }
}

fn parse(src: &str) -> Result<Expr, String> {
    let mut p = Parser {
        tokens: tokenize(src)?,
        pos: 0,
    };
    let e = p.expr(1)?;
    if p.pos != p.tokens.len() {
        return Err(format!("trailing input at token {}", p.pos));
    }
    Ok(e)
}

fn eval(e: &Expr, vars: &HashMap<String, f64>) -> Result<f64, String> {
    Ok(match e {
        Expr::Num(n) => *n,
        Expr::Var(v) => *vars.get(v).ok_or_else(|| format!("unknown variable {v}"))?,
        Expr::Neg(x) => -eval(x, vars)?,
        Expr::Bin(op, a, b) => {
            let (a, b) = (eval(a, vars)?, eval(b, vars)?);
            match op {
                '+' => a + b,
                '-' => a - b,
                '*' => a * b,
                '/' => a / b,
                '%' => a % b,
                '^' => a.powf(b),
                _ => return Err(format!("unknown operator {op}")),
            }
        }
        Expr::Call(f, args) => {
            let vals: Vec<f64> = args.iter().map(|a| eval(a, vars)).collect::<Result<_, _>>()?;
            match (f.as_str(), vals.as_slice()) {
                ("sqrt", [x]) => x.sqrt(),
                ("abs", [x]) => x.abs(),
                ("min", [x, y]) => x.min(*y),
                ("max", [x, y]) => x.max(*y),
                ("sum", xs) => xs.iter().sum(),
                ("avg", xs) if !xs.is_empty() => xs.iter().sum::<f64>() / xs.len() as f64,
                _ => return Err(format!("unknown function {f}/{}", vals.len())),
            }
        }
    })
}

/// Folds constant subtrees: the simplified tree evaluates the same.
fn simplify(e: &Expr) -> Expr {
    match e {
        Expr::Neg(x) => match simplify(x) {
            Expr::Num(n) => Expr::Num(-n),
            other => Expr::Neg(Box::new(other)),
        },
        Expr::Bin(op, a, b) => {
            let (a, b) = (simplify(a), simplify(b));
            match (&a, &b) {
                (Expr::Num(_), Expr::Num(_)) => {
                    Expr::Num(eval(&Expr::Bin(*op, Box::new(a), Box::new(b)), &HashMap::new()).unwrap_or(f64::NAN))
                }
                (Expr::Num(z), other) | (other, Expr::Num(z)) if *op == '*' && *z == 0.0 => {
                    let _ = other;
                    Expr::Num(0.0)
                }
                _ => Expr::Bin(*op, Box::new(a), Box::new(b)),
            }
        }
        Expr::Call(f, args) => Expr::Call(f.clone(), args.iter().map(simplify).collect()),
        other => other.clone(),
    }
}

fn count_nodes(e: &Expr) -> usize {
    match e {
        Expr::Num(_) | Expr::Var(_) => 1,
        Expr::Neg(x) => 1 + count_nodes(x),
        Expr::Bin(_, a, b) => 1 + count_nodes(a) + count_nodes(b),
        Expr::Call(_, args) => 1 + args.iter().map(count_nodes).sum::<usize>(),
    }
}

fn expressions() -> String {
    let sources = [
        "1 + 2 * 3",
        "(1 + 2) * 3",
        "2 ^ 3 ^ 2",
        "-x * (y - 4) / 2",
        "sqrt(x * x + y * y)",
        "max(x, y) - min(x, y) + abs(-7)",
        "avg(1, 2, 3, 4, x) % 3",
        "sum(x, y, 2 * 3 * 4, (5 - 6) * 0)",
        "x ^ 2 - 2 * x * y + y ^ 2",
        "((((x))))+((((y))))",
    ];
    let mut vars = HashMap::new();
    vars.insert("x".to_string(), 3.0);
    vars.insert("y".to_string(), 4.5);
    let mut total = 0.0;
    let mut nodes = 0;
    let mut folded = 0;
    for src in sources {
        let e = parse(src).expect("valid expression");
        let s = simplify(&e);
        let (a, b) = (eval(&e, &vars).unwrap(), eval(&s, &vars).unwrap());
        assert!((a - b).abs() < 1e-9, "simplify changed {src}");
        total += a;
        nodes += count_nodes(&e);
        folded += count_nodes(&e) - count_nodes(&s);
    }
    let errors = ["1 +", "(1", "foo(1", "1 $ 2", "unknown(1)"]
        .iter()
        .filter(|s| parse(s).and_then(|e| eval(&e, &vars)).is_err())
        .count();
    format!("expr total={total:.6} nodes={nodes} folded={folded} errors={errors}")
}

// ---------------------------------------------------------------- a stack machine

#[derive(Clone, Copy, Debug)]
enum Ins {
    Push(i64),
    Load(usize),
    Store(usize),
    Add,
    Mul,
    Mod,
    Lt,
    Jmp(usize),
    Jz(usize),
    Print,
    Halt,
}

struct Machine {
    stack: Vec<i64>,
    locals: [i64; 8],
    output: Vec<i64>,
    steps: u64,
}

impl Machine {
    fn run(program: &[Ins]) -> Machine {
        let mut m = Machine {
            stack: Vec::new(),
            locals: [0; 8],
            output: Vec::new(),
            steps: 0,
        };
        let mut pc = 0;
        while pc < program.len() {
            m.steps += 1;
            let ins = program[pc];
            pc += 1;
            match ins {
                Ins::Push(v) => m.stack.push(v),
                Ins::Load(i) => m.stack.push(m.locals[i]),
                Ins::Store(i) => m.locals[i] = m.stack.pop().unwrap(),
                Ins::Add | Ins::Mul | Ins::Mod | Ins::Lt => {
                    let b = m.stack.pop().unwrap();
                    let a = m.stack.pop().unwrap();
                    m.stack.push(match ins {
                        Ins::Add => a.wrapping_add(b),
                        Ins::Mul => a.wrapping_mul(b),
                        Ins::Mod => a.rem_euclid(b),
                        _ => (a < b) as i64,
                    });
                }
                Ins::Jmp(t) => pc = t,
                Ins::Jz(t) => {
                    if m.stack.pop().unwrap() == 0 {
                        pc = t;
                    }
                }
                Ins::Print => {
                    let v = m.stack.pop().unwrap();
                    m.output.push(v);
                }
                Ins::Halt => break,
            }
        }
        m
    }
}

/// Counts the primes below `n` by trial division, on the stack machine.
fn prime_program(n: i64) -> Vec<Ins> {
    use Ins::*;
    vec![
        Push(2),
        Store(0), // 1: i = 2
        Push(0),
        Store(2), // 3: count = 0
        // 4: loop over i
        Load(0),
        Push(n),
        Lt,
        Jz(31),
        Push(2),
        Store(1), // 9: d = 2
        // 10: inner loop: while d * d <= i (d*d < i+1)
        Load(1),
        Load(1),
        Mul,
        Load(0),
        Push(1),
        Add,
        Lt,
        Jz(25),
        Load(0),
        Load(1),
        Mod,
        Jz(29), // 21: divisible: not prime
        Load(1),
        Push(1),
        Add, // 24
        // falls into 25? no: store and loop
        Store(1),
        Jmp(10),
        // 27: unused slot kept for layout
        Halt,
        Halt,
        // 29: next i (composite)
        Jmp(34),
        Halt,
        // 31: done
        Load(2),
        Print,
        Halt,
        // 34: i += 1
        Load(0),
        Push(1),
        Add,
        Store(0),
        Jmp(4),
    ]
}

fn machine() -> String {
    // The inner loop's exit (25 after Jz) means prime: patch the layout so
    // that Jz(25) lands on a count increment.
    let mut program = prime_program(3000);
    // Rewrite: index 17 `Jz(25)` jumps to a prime block appended at the end.
    let prime_block = program.len();
    program[17] = Ins::Jz(prime_block);
    program[24] = Ins::Add;
    program.extend_from_slice(&[
        Ins::Load(2),
        Ins::Push(1),
        Ins::Add,
        Ins::Store(2),
        Ins::Jmp(34),
    ]);
    let m = Machine::run(&program);
    let fib = {
        use Ins::*;
        let p = vec![
            Push(0),
            Store(0),
            Push(1),
            Store(1),
            Push(0),
            Store(2),
            // 6
            Load(2),
            Push(80),
            Lt,
            Jz(22),
            Load(0),
            Load(1),
            Add,
            Load(1),
            Store(0),
            Store(1),
            Load(2),
            Push(1),
            Add,
            Store(2),
            Jmp(6),
            Halt,
            // 22
            Load(0),
            Print,
            Halt,
        ];
        Machine::run(&p)
    };
    format!(
        "machine primes={:?} steps={} fib80={:?}",
        m.output, m.steps, fib.output
    )
}

// ---------------------------------------------------------------- graphs

struct Graph {
    adj: Vec<Vec<(usize, u64)>>,
}

impl Graph {
    fn random(rng: &mut Rng, nodes: usize, edges: usize) -> Graph {
        let mut adj = vec![Vec::new(); nodes];
        // a ring keeps it connected
        for i in 0..nodes {
            let j = (i + 1) % nodes;
            let w = 1 + rng.below(50);
            adj[i].push((j, w));
            adj[j].push((i, w));
        }
        for _ in 0..edges {
            let (a, b) = (rng.below(nodes as u64) as usize, rng.below(nodes as u64) as usize);
            if a != b {
                let w = 1 + rng.below(100);
                adj[a].push((b, w));
                adj[b].push((a, w));
            }
        }
        Graph { adj }
    }

    fn dijkstra(&self, src: usize) -> Vec<u64> {
        let mut dist = vec![u64::MAX; self.adj.len()];
        let mut heap = BinaryHeap::new();
        dist[src] = 0;
        heap.push(Reverse((0u64, src)));
        while let Some(Reverse((d, u))) = heap.pop() {
            if d > dist[u] {
                continue;
            }
            for &(v, w) in &self.adj[u] {
                let nd = d + w;
                if nd < dist[v] {
                    dist[v] = nd;
                    heap.push(Reverse((nd, v)));
                }
            }
        }
        dist
    }

    fn bfs_levels(&self, src: usize) -> Vec<usize> {
        let mut level = vec![usize::MAX; self.adj.len()];
        let mut queue = VecDeque::new();
        level[src] = 0;
        queue.push_back(src);
        while let Some(u) = queue.pop_front() {
            for &(v, _) in &self.adj[u] {
                if level[v] == usize::MAX {
                    level[v] = level[u] + 1;
                    queue.push_back(v);
                }
            }
        }
        level
    }

    fn edges(&self) -> Vec<(u64, usize, usize)> {
        let mut out = Vec::new();
        for (u, list) in self.adj.iter().enumerate() {
            for &(v, w) in list {
                if u < v {
                    out.push((w, u, v));
                }
            }
        }
        out
    }
}

struct UnionFind {
    parent: Vec<usize>,
    rank: Vec<u8>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
            rank: vec![0; n],
        }
    }
    fn find(&mut self, x: usize) -> usize {
        let mut root = x;
        while self.parent[root] != root {
            root = self.parent[root];
        }
        let mut cur = x;
        while self.parent[cur] != root {
            let next = self.parent[cur];
            self.parent[cur] = root;
            cur = next;
        }
        root
    }
    fn union(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        match self.rank[ra].cmp(&self.rank[rb]) {
            Ordering::Less => self.parent[ra] = rb,
            Ordering::Greater => self.parent[rb] = ra,
            Ordering::Equal => {
                self.parent[rb] = ra;
                self.rank[ra] += 1;
            }
        }
        true
    }
}

fn kruskal(g: &Graph) -> (u64, usize) {
    let edges = merge_sort(&g.edges());
    let mut uf = UnionFind::new(g.adj.len());
    let (mut total, mut used) = (0, 0);
    for (w, a, b) in edges {
        if uf.union(a, b) {
            total += w;
            used += 1;
        }
    }
    (total, used)
}

fn topo_sort(n: usize, deps: &[(usize, usize)]) -> Option<Vec<usize>> {
    let mut indeg = vec![0; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in deps {
        out[a].push(b);
        indeg[b] += 1;
    }
    let mut ready: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|&i| indeg[i] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(u)) = ready.pop() {
        order.push(u);
        for &v in &out[u] {
            indeg[v] -= 1;
            if indeg[v] == 0 {
                ready.push(Reverse(v));
            }
        }
    }
    (order.len() == n).then_some(order)
}

fn graphs(rng: &mut Rng) -> String {
    let g = Graph::random(rng, 2000, 6000);
    let dist = g.dijkstra(0);
    let levels = g.bfs_levels(0);
    let (mst, used) = kruskal(&g);
    let far = dist.iter().max().copied().unwrap_or(0);
    let depth = levels.iter().max().copied().unwrap_or(0);
    let sum: u64 = dist.iter().sum();
    let deps: Vec<(usize, usize)> = (0..500)
        .map(|_| {
            let a = rng.below(300) as usize;
            let b = a + 1 + rng.below(50) as usize;
            (a, b.min(349))
        })
        .filter(|(a, b)| a != b)
        .collect();
    let order = topo_sort(350, &deps).expect("acyclic");
    let pos: HashMap<usize, usize> = order.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    let respects = deps.iter().all(|(a, b)| pos[a] < pos[b]);
    let cyclic = topo_sort(3, &[(0, 1), (1, 2), (2, 0)]).is_none();
    format!(
        "graph dist_sum={sum} far={far} depth={depth} mst={mst} mst_edges={used} topo={respects} cycle_found={cyclic} first={:?}",
        &order[..5]
    )
}

// ---------------------------------------------------------------- strings

fn kmp_count(text: &[u8], pat: &[u8]) -> usize {
    let mut fail = vec![0usize; pat.len()];
    let mut k = 0;
    for i in 1..pat.len() {
        while k > 0 && pat[i] != pat[k] {
            k = fail[k - 1];
        }
        if pat[i] == pat[k] {
            k += 1;
        }
        fail[i] = k;
    }
    let (mut count, mut q) = (0, 0);
    for &c in text {
        while q > 0 && c != pat[q] {
            q = fail[q - 1];
        }
        if c == pat[q] {
            q += 1;
        }
        if q == pat.len() {
            count += 1;
            q = fail[q - 1];
        }
    }
    count
}

fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

fn lcs(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut t = vec![vec![0u16; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            t[i][j] = if a[i] == b[j] {
                t[i + 1][j + 1] + 1
            } else {
                t[i + 1][j].max(t[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(a[i]);
            i += 1;
            j += 1;
        } else if t[i + 1][j] >= t[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity((data.len() + 2) / 3 * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * k)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut lookup = [255u8; 256];
    for (i, &c) in B64.iter().enumerate() {
        lookup[c as usize] = i as u8;
    }
    let bytes = text.as_bytes();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for chunk in bytes.chunks(4) {
        let pad = chunk.iter().filter(|&&c| c == b'=').count();
        let mut n = 0u32;
        for &c in chunk {
            let v = if c == b'=' { 0 } else { lookup[c as usize] };
            if v == 255 {
                return None;
            }
            n = n << 6 | v as u32;
        }
        let three = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&three[..3 - pad]);
    }
    Some(out)
}

fn run_length(data: &[u8]) -> Vec<(u8, usize)> {
    let mut out: Vec<(u8, usize)> = Vec::new();
    for &b in data {
        match out.last_mut() {
            Some((c, n)) if *c == b => *n += 1,
            _ => out.push((b, 1)),
        }
    }
    out
}

fn word_frequencies(text: &str) -> BTreeMap<String, usize> {
    let mut freq = BTreeMap::new();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        *freq.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    freq
}

fn text_corpus(rng: &mut Rng, words: usize) -> String {
    const VOCAB: [&str; 24] = [
        "the", "store", "path", "library", "build", "stock", "optimized", "variant", "round",
        "paired", "ratio", "median", "claim", "verdict", "nix", "profile", "generation",
        "switch", "compiler", "linker", "zlib", "zstd", "openssl", "glibc",
    ];
    let mut out = String::new();
    for i in 0..words {
        let w = VOCAB[rng.below(VOCAB.len() as u64) as usize];
        if i % 11 == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                out.push(f.to_ascii_uppercase());
                out.push_str(c.as_str());
            }
        } else {
            out.push_str(w);
        }
        out.push(if i % 13 == 12 { '.' } else { ' ' });
    }
    out
}

fn strings(rng: &mut Rng) -> String {
    let text = text_corpus(rng, 20000);
    let hits = kmp_count(text.as_bytes(), b"store path");
    let naive = text.matches("store path").count();
    let freq = word_frequencies(&text);
    let top = freq
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(w, n)| format!("{w}:{n}"))
        .unwrap_or_default();
    let ed = edit_distance("optimized build of a library", "stock builds of the libraries");
    let l = lcs(&text.as_bytes()[..400], &text.as_bytes()[400..800]);
    let raw = rng.bytes(1000);
    let enc = base64_encode(&raw);
    let round_trip = base64_decode(&enc).as_deref() == Some(&raw[..]);
    let rle = run_length(b"aaabccddddde");
    let unique: HashSet<&str> = text.split(' ').collect();
    format!(
        "strings kmp={hits} agree={} words={} top={top} edit={ed} lcs={} b64={} b64_ok={round_trip} rle={:?} unique={} sha={}",
        hits == naive,
        freq.len(),
        l.len(),
        &enc[..16],
        rle,
        unique.len(),
        &sha256::hex(text.as_bytes())[..16]
    )
}

// ---------------------------------------------------------------- huffman

#[derive(Debug)]
enum Node {
    Leaf(u8),
    Inner(Box<Node>, Box<Node>),
}

struct Weighted {
    weight: u64,
    order: u32,
    node: Node,
}

impl PartialEq for Weighted {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Weighted {}
impl PartialOrd for Weighted {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Weighted {
    fn cmp(&self, o: &Self) -> Ordering {
        // smallest weight first, ties by creation order: deterministic trees
        o.weight.cmp(&self.weight).then(o.order.cmp(&self.order))
    }
}

fn huffman_tree(data: &[u8]) -> Option<Node> {
    let mut counts = [0u64; 256];
    for &b in data {
        counts[b as usize] += 1;
    }
    let mut heap = BinaryHeap::new();
    let mut order = 0;
    for (b, &c) in counts.iter().enumerate() {
        if c > 0 {
            heap.push(Weighted {
                weight: c,
                order,
                node: Node::Leaf(b as u8),
            });
            order += 1;
        }
    }
    while heap.len() > 1 {
        let a = heap.pop()?;
        let b = heap.pop()?;
        heap.push(Weighted {
            weight: a.weight + b.weight,
            order,
            node: Node::Inner(Box::new(a.node), Box::new(b.node)),
        });
        order += 1;
    }
    heap.pop().map(|w| w.node)
}

fn code_table(node: &Node, prefix: &mut Vec<bool>, table: &mut Vec<Option<Vec<bool>>>) {
    match node {
        Node::Leaf(b) => {
            let code = if prefix.is_empty() { vec![false] } else { prefix.clone() };
            table[*b as usize] = Some(code);
        }
        Node::Inner(l, r) => {
            prefix.push(false);
            code_table(l, prefix, table);
            prefix.pop();
            prefix.push(true);
            code_table(r, prefix, table);
            prefix.pop();
        }
    }
}

struct BitWriter {
    bytes: Vec<u8>,
    bits: usize,
}

impl BitWriter {
    fn push(&mut self, bit: bool) {
        if self.bits % 8 == 0 {
            self.bytes.push(0);
        }
        if bit {
            let last = self.bytes.len() - 1;
            self.bytes[last] |= 1 << (7 - self.bits % 8);
        }
        self.bits += 1;
    }
}

fn huffman_encode(data: &[u8], tree: &Node) -> BitWriter {
    let mut table = vec![None; 256];
    code_table(tree, &mut Vec::new(), &mut table);
    let mut w = BitWriter {
        bytes: Vec::new(),
        bits: 0,
    };
    for &b in data {
        for &bit in table[b as usize].as_ref().expect("every byte has a code") {
            w.push(bit);
        }
    }
    w
}

fn huffman_decode(w: &BitWriter, tree: &Node, count: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(count);
    let mut node = tree;
    let mut i = 0;
    while out.len() < count && i <= w.bits {
        if let Node::Leaf(b) = node {
            out.push(*b);
            node = tree;
            if let Node::Leaf(_) = tree {
                i += 1;
            }
            continue;
        }
        let bit = w.bytes[i / 8] >> (7 - i % 8) & 1 == 1;
        i += 1;
        if let Node::Inner(l, r) = node {
            node = if bit { r } else { l };
        }
    }
    out
}

fn huffman(rng: &mut Rng) -> String {
    let text = text_corpus(rng, 6000);
    let data = text.as_bytes();
    let tree = huffman_tree(data).expect("non-empty input");
    let enc = huffman_encode(data, &tree);
    let dec = huffman_decode(&enc, &tree, data.len());
    format!(
        "huffman bytes={} bits={} ratio={:.4} round_trip={} adler={:08x}",
        data.len(),
        enc.bits,
        enc.bits as f64 / (8 * data.len()) as f64,
        dec == data,
        adler32(&enc.bytes)
    )
}

// ---------------------------------------------------------------- sudoku

#[derive(Clone)]
struct Sudoku {
    cells: [u8; 81],
}

impl Sudoku {
    fn parse(s: &str) -> Sudoku {
        let mut cells = [0u8; 81];
        for (i, c) in s.chars().filter(|c| !c.is_whitespace()).enumerate().take(81) {
            cells[i] = c.to_digit(10).unwrap_or(0) as u8;
        }
        Sudoku { cells }
    }

    fn candidates(&self, idx: usize) -> u16 {
        let (r, c) = (idx / 9, idx % 9);
        let mut used = 0u16;
        for k in 0..9 {
            used |= 1 << self.cells[r * 9 + k];
            used |= 1 << self.cells[k * 9 + c];
            let (br, bc) = (r / 3 * 3 + k / 3, c / 3 * 3 + k % 3);
            used |= 1 << self.cells[br * 9 + bc];
        }
        !used & 0b11_1111_1110
    }

    fn solve(&mut self, nodes: &mut u64) -> bool {
        *nodes += 1;
        let mut best: Option<(usize, u16)> = None;
        for idx in 0..81 {
            if self.cells[idx] == 0 {
                let cand = self.candidates(idx);
                let n = cand.count_ones();
                if n == 0 {
                    return false;
                }
                if best.map_or(true, |(_, c)| n < c.count_ones()) {
                    best = Some((idx, cand));
                }
            }
        }
        let Some((idx, cand)) = best else {
            return true;
        };
        for d in 1..=9u8 {
            if cand & (1 << d) != 0 {
                self.cells[idx] = d;
                if self.solve(nodes) {
                    return true;
                }
            }
        }
        self.cells[idx] = 0;
        false
    }

    fn valid(&self) -> bool {
        (0..9).all(|i| {
            let mut row = 0u16;
            let mut col = 0u16;
            let mut bx = 0u16;
            for k in 0..9 {
                row |= 1 << self.cells[i * 9 + k];
                col |= 1 << self.cells[k * 9 + i];
                bx |= 1 << self.cells[(i / 3 * 3 + k / 3) * 9 + i % 3 * 3 + k % 3];
            }
            row == 0b11_1111_1110 && col == row && bx == row
        })
    }
}

fn sudoku() -> String {
    let puzzles = [
        "530070000600195000098000060800060003400803001700020006060000280000419005000080079",
        "000000907000420180000705026100904000050000040000507009920108000034059000507000000",
        "800000000003600000070090200050007000000045700000100030001000068008500010090000400",
    ];
    let mut nodes = 0;
    let mut digest = Vec::new();
    let mut all_valid = true;
    for p in puzzles {
        let mut s = Sudoku::parse(p);
        let solved = s.solve(&mut nodes);
        all_valid &= solved && s.valid();
        digest.extend_from_slice(&s.cells);
    }
    format!(
        "sudoku valid={all_valid} nodes={nodes} crc={:08x}",
        crc32(&digest)
    )
}

// ---------------------------------------------------------------- physics

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Vec3 {
    x: f64,
    y: f64,
    z: f64,
}

impl Vec3 {
    fn new(x: f64, y: f64, z: f64) -> Vec3 {
        Vec3 { x, y, z }
    }
    fn dot(self, o: Vec3) -> f64 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }
    fn norm(self) -> f64 {
        self.dot(self).sqrt()
    }
}

impl Add for Vec3 {
    type Output = Vec3;
    fn add(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x + o.x, self.y + o.y, self.z + o.z)
    }
}
impl Sub for Vec3 {
    type Output = Vec3;
    fn sub(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x - o.x, self.y - o.y, self.z - o.z)
    }
}
impl Mul<f64> for Vec3 {
    type Output = Vec3;
    fn mul(self, k: f64) -> Vec3 {
        Vec3::new(self.x * k, self.y * k, self.z * k)
    }
}

struct Body {
    pos: Vec3,
    vel: Vec3,
    mass: f64,
}

fn energy(bodies: &[Body]) -> f64 {
    let mut e = 0.0;
    for (i, b) in bodies.iter().enumerate() {
        e += 0.5 * b.mass * b.vel.dot(b.vel);
        for c in &bodies[i + 1..] {
            e -= b.mass * c.mass / (b.pos - c.pos).norm();
        }
    }
    e
}

fn advance(bodies: &mut [Body], dt: f64) {
    let n = bodies.len();
    for i in 0..n {
        for j in i + 1..n {
            let d = bodies[i].pos - bodies[j].pos;
            let dist2 = d.dot(d);
            let mag = dt / (dist2 * dist2.sqrt());
            let (mi, mj) = (bodies[i].mass, bodies[j].mass);
            bodies[i].vel = bodies[i].vel - d * (mj * mag);
            bodies[j].vel = bodies[j].vel + d * (mi * mag);
        }
    }
    for b in bodies.iter_mut() {
        b.pos = b.pos + b.vel * dt;
    }
}

fn nbody() -> String {
    let solar = 4.0 * std::f64::consts::PI * std::f64::consts::PI;
    let year = 365.24;
    let mut bodies = vec![
        Body { pos: Vec3::default(), vel: Vec3::default(), mass: solar },
        Body {
            pos: Vec3::new(4.841_431_442_464_72, -1.160_320_044_027_428_4, -0.103_622_044_471_123_1),
            vel: Vec3::new(0.001_660_076_642_744_037 * year, 0.007_699_011_184_197_404 * year, -0.000_069_046_001_601_125_3 * year),
            mass: 0.000_954_791_938_424_326_6 * solar,
        },
        Body {
            pos: Vec3::new(8.343_366_718_244_58, 4.124_798_564_124_305, -0.403_523_417_114_321_4),
            vel: Vec3::new(-0.002_767_425_107_268_624 * year, 0.004_998_528_012_349_172 * year, 0.000_023_041_729_757_376_4 * year),
            mass: 0.000_285_885_980_666_130_8 * solar,
        },
        Body {
            pos: Vec3::new(12.894_369_562_139_131, -15.111_151_401_698_631, -0.223_307_578_892_655_7),
            vel: Vec3::new(0.002_964_601_375_647_616 * year, 0.002_378_471_739_594_809 * year, -0.000_029_658_956_854_023_8 * year),
            mass: 0.000_043_662_440_433_515_6 * solar,
        },
        Body {
            pos: Vec3::new(15.379_697_114_850_917, -25.919_314_609_987_964, 0.179_258_772_950_371_2),
            vel: Vec3::new(0.002_680_677_724_903_893 * year, 0.001_628_241_700_382_423 * year, -0.000_095_159_225_451_971_6 * year),
            mass: 0.000_051_513_890_204_661_1 * solar,
        },
    ];
    let momentum = bodies
        .iter()
        .fold(Vec3::default(), |acc, b| acc + b.vel * b.mass);
    bodies[0].vel = momentum * (-1.0 / solar);
    let before = energy(&bodies);
    for _ in 0..20000 {
        advance(&mut bodies, 0.01);
    }
    format!("nbody before={before:.9} after={:.9}", energy(&bodies))
}

// ---------------------------------------------------------------- cellular automata

fn life(rng: &mut Rng) -> String {
    const W: usize = 64;
    const H: usize = 48;
    let mut grid = vec![false; W * H];
    for cell in grid.iter_mut() {
        *cell = rng.below(3) == 0;
    }
    let mut history = HashSet::new();
    let mut generation = 0;
    while generation < 300 && history.insert(grid.clone()) {
        let mut next = vec![false; W * H];
        for y in 0..H {
            for x in 0..W {
                let mut n = 0;
                for dy in [H - 1, 0, 1] {
                    for dx in [W - 1, 0, 1] {
                        if (dx, dy) != (0, 0) && grid[(y + dy) % H * W + (x + dx) % W] {
                            n += 1;
                        }
                    }
                }
                let alive = grid[y * W + x];
                next[y * W + x] = matches!((alive, n), (true, 2) | (_, 3));
            }
        }
        grid = next;
        generation += 1;
    }
    let rule30: Vec<u8> = {
        let mut row = vec![0u8; 101];
        row[50] = 1;
        let mut column = Vec::new();
        for _ in 0..100 {
            column.push(row[50]);
            row = (0..101)
                .map(|i| {
                    let l = if i == 0 { 0 } else { row[i - 1] };
                    let r = if i == 100 { 0 } else { row[i + 1] };
                    (30u8 >> (l << 2 | row[i] << 1 | r)) & 1
                })
                .collect();
        }
        column
    };
    format!(
        "life generations={generation} alive={} rule30={:016x}",
        grid.iter().filter(|&&c| c).count(),
        fnv1a(&rule30)
    )
}

// ---------------------------------------------------------------- an open-addressing map

trait Key: Eq + Clone {
    fn hash64(&self) -> u64;
}

impl Key for u64 {
    fn hash64(&self) -> u64 {
        let mut x = *self;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
}

impl Key for String {
    fn hash64(&self) -> u64 {
        fnv1a(self.as_bytes())
    }
}

struct OpenMap<K: Key, V> {
    slots: Vec<Option<(K, V)>>,
    len: usize,
    probes: u64,
}

impl<K: Key, V: Clone> OpenMap<K, V> {
    fn new() -> Self {
        OpenMap {
            slots: vec![None; 16],
            len: 0,
            probes: 0,
        }
    }

    fn index(&mut self, key: &K) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = key.hash64() as usize & mask;
        loop {
            self.probes += 1;
            match &self.slots[i] {
                Some((k, _)) if k != key => i = (i + 1) & mask,
                _ => return i,
            }
        }
    }

    fn insert(&mut self, key: K, value: V) -> Option<V> {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let i = self.index(&key);
        let old = self.slots[i].replace((key, value)).map(|(_, v)| v);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    fn get(&mut self, key: &K) -> Option<&V> {
        let i = self.index(key);
        self.slots[i].as_ref().map(|(_, v)| v)
    }

    fn grow(&mut self) {
        let bigger = vec![None; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, bigger);
        self.len = 0;
        for (k, v) in old.into_iter().flatten() {
            self.insert(k, v);
        }
    }
}

fn maps(rng: &mut Rng) -> String {
    let mut ours: OpenMap<u64, u64> = OpenMap::new();
    let mut theirs: HashMap<u64, u64> = HashMap::new();
    for _ in 0..20000 {
        let k = rng.below(8000);
        let v = rng.next_u64();
        let a = ours.insert(k, v);
        let b = theirs.insert(k, v);
        assert_eq!(a, b);
    }
    let agree = theirs.iter().all(|(k, v)| ours.get(k) == Some(v));
    let mut names: OpenMap<String, usize> = OpenMap::new();
    for i in 0..3000usize {
        let key = format!("key-{}", i % 1700);
        let n = names.get(&key).copied().unwrap_or(0);
        names.insert(key, n + 1);
    }
    let checksum = theirs.values().fold(0u64, |acc, v| acc ^ v);
    let key7 = names.get(&"key-7".to_string()).copied();
    format!(
        "map len={} agree={agree} names={} key7={key7:?} xor={checksum:016x} probes_per_op={:.3}",
        ours.len,
        names.len,
        ours.probes as f64 / 40000.0
    )
}

// ---------------------------------------------------------------- matrices

#[derive(Clone, Debug, PartialEq)]
struct Matrix {
    n: usize,
    data: Vec<f64>,
}

impl Matrix {
    fn identity(n: usize) -> Matrix {
        let mut data = vec![0.0; n * n];
        for i in 0..n {
            data[i * n + i] = 1.0;
        }
        Matrix { n, data }
    }
    fn random(rng: &mut Rng, n: usize) -> Matrix {
        Matrix {
            n,
            data: (0..n * n).map(|_| rng.unit() - 0.5).collect(),
        }
    }
    fn at(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.n + j]
    }
    fn mul(&self, o: &Matrix) -> Matrix {
        let n = self.n;
        let mut data = vec![0.0; n * n];
        for i in 0..n {
            for k in 0..n {
                let a = self.at(i, k);
                for j in 0..n {
                    data[i * n + j] += a * o.at(k, j);
                }
            }
        }
        Matrix { n, data }
    }
    fn transpose(&self) -> Matrix {
        let n = self.n;
        let mut data = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                data[j * n + i] = self.at(i, j);
            }
        }
        Matrix { n, data }
    }
    /// Determinant by LU decomposition with partial pivoting.
    fn determinant(&self) -> f64 {
        let n = self.n;
        let mut a = self.data.clone();
        let mut det = 1.0;
        for col in 0..n {
            let pivot = (col..n)
                .max_by(|&x, &y| a[x * n + col].abs().total_cmp(&a[y * n + col].abs()))
                .unwrap_or(col);
            if a[pivot * n + col] == 0.0 {
                return 0.0;
            }
            if pivot != col {
                for j in 0..n {
                    a.swap(col * n + j, pivot * n + j);
                }
                det = -det;
            }
            let p = a[col * n + col];
            det *= p;
            for r in col + 1..n {
                let f = a[r * n + col] / p;
                for j in col..n {
                    a[r * n + j] -= f * a[col * n + j];
                }
            }
        }
        det
    }
    fn trace(&self) -> f64 {
        (0..self.n).map(|i| self.at(i, i)).sum()
    }
}

fn matrices(rng: &mut Rng) -> String {
    let a = Matrix::random(rng, 40);
    let b = Matrix::random(rng, 40);
    let ab = a.mul(&b);
    let ba_t = b.transpose().mul(&a.transpose()).transpose();
    let diff = ab
        .data
        .iter()
        .zip(&ba_t.data)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    let det_ab = ab.determinant();
    let det_prod = a.determinant() * b.determinant();
    let rel = ((det_ab - det_prod) / det_prod).abs();
    let id = Matrix::identity(40).mul(&a) == a;
    format!(
        "matrix transpose_law={} det_law={} identity={id} trace={:.9}",
        diff < 1e-12,
        rel < 1e-9,
        ab.trace()
    )
}

// ---------------------------------------------------------------- main

fn main() {
    let mut rng = Rng::new(20_260_101);
    let lines = [
        sorting(&mut rng),
        bigints(),
        rationals(),
        expressions(),
        machine(),
        graphs(&mut rng),
        strings(&mut rng),
        huffman(&mut rng),
        sudoku(),
        nbody(),
        life(&mut rng),
        maps(&mut rng),
        matrices(&mut rng),
    ];
    let mut all = String::new();
    for line in &lines {
        println!("{line}");
        all.push_str(line);
        all.push('\n');
    }
    println!("checksum {}", sha256::hex(all.as_bytes()));
}
