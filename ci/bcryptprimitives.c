/*
 * A stand-in for bcryptprimitives.dll, which Wine 8.0 does not ship.
 *
 * Rust's std (1.78 and later) imports ProcessPrng from bcryptprimitives.dll on Windows; without
 * the DLL every Rust executable fails to load under Wine 8.0 (exit 53, no output). This DLL
 * exports ProcessPrng and forwards it to advapi32's SystemFunction036 (RtlGenRandom), which Wine
 * has. It is built with MinGW by ci/windows-under-wine.sh and copied into the Wine prefix only;
 * nothing of it is used on real Windows, where the system DLL exists.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* ProcessPrng(pbData, cbData): fills the buffer with random bytes; always TRUE on Windows. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
